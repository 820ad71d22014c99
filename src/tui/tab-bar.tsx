/** Top line: the views with their keys, the current one highlighted. */
import { Text } from 'ink';
import { truncateRight } from './format.js';
import { VIEWS, type ViewId } from './views.js';

export function TabBar({
  current,
  views,
  width,
}: {
  current: ViewId;
  views: readonly ViewId[];
  width: number;
}): React.JSX.Element {
  // Narrow terminals get "1 Overview" → "1Ovr"-style labels; wide ones get full titles.
  const entries = VIEWS.map((v, i) => ({ ...v, n: i + 1 })).filter((v) => views.includes(v.id));
  const full = entries.map((v) => `${v.n}${v.title}`);
  const fullWidth = full.reduce((a, s) => a + s.length + 1, 0);
  const labels =
    fullWidth <= width
      ? full
      : entries.map((v) => `${v.n}${v.title.slice(0, Math.max(3, Math.floor(width / entries.length) - 2))}`);
  let used = 0;
  return (
    <Text wrap="truncate">
      {entries.map((v, i) => {
        const label = truncateRight(labels[i]!, Math.max(0, width - used - 1));
        used += label.length + 1;
        return (
          <Text key={v.id}>
            {v.id === current ? (
              <Text inverse bold>
                {label}
              </Text>
            ) : (
              <Text color="cyan">{label}</Text>
            )}
            {i < entries.length - 1 ? ' ' : ''}
          </Text>
        );
      })}
    </Text>
  );
}
