/** Writing a report file: atomically (temp file + rename) so a failed run never leaves half a page. */
import { rename, writeFile } from 'node:fs/promises';
import { UserError } from '../cli/errors.js';

export async function writeReportFile(path: string, html: string): Promise<number> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, html);
    await rename(tmp, path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserError(`${path}: cannot write the report (${e.code ?? e.message})`);
  }
  return Buffer.byteLength(html);
}
