/** Top line: the views with their number and (underlined) letter, the current one highlighted. */
import { Text } from 'ink';
import { truncateRight } from './format.js';
import { VIEWS, type ViewId } from './views.js';

/** Splits a label around its mnemonic letter so it can be underlined ("Per-op" → "", "P", "er-op"). */
function splitMnemonic(label: string, key: string): [string, string, string] {
  const at = label.toLowerCase().indexOf(key);
  if (at < 0) return [label, '', ''];
  return [label.slice(0, at), label.slice(at, at + 1), label.slice(at + 1)];
}

export function TabBar({
  current,
  views,
  width,
}: {
  current: ViewId;
  views: readonly ViewId[];
  width: number;
}): React.JSX.Element {
  // Narrow terminals get shortened titles ("1Overv 2Per-o ..."); wide ones get full titles.
  const entries = VIEWS.map((v, i) => ({ ...v, n: (i + 1) % 10 })).filter((v) => views.includes(v.id));
  const fullWidth = entries.reduce((a, v) => a + `${v.n}${v.title}`.length + 1, 0) - 1;
  const titleRoom = fullWidth <= width ? Infinity : Math.max(3, Math.floor((width + 1) / entries.length) - 2);
  let used = 0;
  return (
    <Text wrap="truncate">
      {entries.map((v, i) => {
        const title = truncateRight(v.title, titleRoom === Infinity ? v.title.length : titleRoom).replace(
          '…',
          '',
        );
        const label = truncateRight(`${v.n}${title}`, Math.max(0, width - used));
        used += label.length + 1;
        const [before, letter, after] = splitMnemonic(label.slice(1), v.key);
        const active = v.id === current;
        return (
          <Text key={v.id} color={active ? undefined : 'cyan'} inverse={active} bold={active}>
            {label.slice(0, 1)}
            {before}
            <Text underline>{letter}</Text>
            {after}
            <Text inverse={false}>{i < entries.length - 1 ? ' ' : ''}</Text>
          </Text>
        );
      })}
    </Text>
  );
}
