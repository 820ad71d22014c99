/** The `?` screen as lines (scrolls like a view when the terminal is short). */
import { wrapText } from './format.js';
import { BLANK, plain, title, type Line, type ViewContent } from './lines.js';
import { VIEWS } from './views.js';

const KEYS: [string, string][] = [
  ['0-9, letter', 'switch view (see Views below)'],
  ['Tab, S-Tab', 'next / previous view'],
  ['↑ ↓ j k', 'scroll a row; PgUp/PgDn/Space a page; g/G top/end'],
  ['← → [ ]', 'histogram view: previous / next op'],
  ['x, b', 'files view: files/directories; sort by time/bytes/ops'],
  ['/', 'filter prompt (Enter applies, Esc cancels)'],
  ['c', 'clear filters (the unfiltered report is kept: instant)'],
  [
    'Enter',
    'drill in: filter to the highlighted row (Per-op: op, Files: path, Slow: path, Procs: pid, Sources: the trace)',
  ],
  ['Backspace', 'back to the previous filter (kept: instant)'],
  ['?', 'this help (any key closes it)'],
  ['q, Ctrl-C', 'quit'],
];

const KEY_WIDTH = 13;

export function helpContent(width: number): ViewContent {
  const body: Line[] = [];
  for (const [key, what] of KEYS) {
    wrapText(what, Math.max(10, width - KEY_WIDTH)).forEach((part, i) =>
      body.push([{ text: (i === 0 ? key : '').padEnd(KEY_WIDTH), color: 'cyan' }, { text: part }]),
    );
  }
  body.push(BLANK, title('Views'));
  const views = VIEWS.map((v, i) => `${(i + 1) % 10}/${v.key} ${v.title}`).join('   ');
  for (const part of wrapText(views, width)) body.push(plain(part));
  body.push(plain('(Diff needs two traces: interposer-tui a.parquet b.parquet)', { dim: true }));
  body.push(BLANK, title('Filter terms (AND; repeated keys OR)'));
  for (const text of [
    'op=NAME[,NAME] path=GLOB pid=N[,N] from=TIME to=TIME',
    'TIME since trace start: 1.5s 200ms 2m 750us',
    'several traces: source=GLOB node= namespace= pod= volume= hostname= file= (as analyze --source)',
  ]) {
    for (const part of wrapText(text, width)) body.push(plain(part));
  }
  return { fixed: [title('Keys')], body };
}
