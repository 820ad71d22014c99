/** A strict RFC 4180 parser for the tests: null (empty unquoted) vs "" (empty quoted) kept apart. */
export type CsvRecord = (string | null)[];

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let record: CsvRecord = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    let field: string | null;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted field');
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      field = value;
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\r' && text[j] !== '\n') {
        if (text[j] === '"') throw new Error(`bare quote in unquoted field at ${j}`);
        j++;
      }
      field = j === i ? null : text.slice(i, j);
      i = j;
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.startsWith('\r\n', i)) {
      i += 2;
      records.push(record);
      record = [];
      if (i === n) return records;
      continue;
    }
    if (i === n) throw new Error('last record is not terminated by CRLF');
    throw new Error(`unexpected character ${JSON.stringify(text[i])} at ${i}`);
  }
}
