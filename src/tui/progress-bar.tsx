/** "Reading trace ████████░░░░ 1,234 / 5,000 rows" on one line. */
import { Text } from 'ink';
import { formatCount } from './format.js';

export interface Progress {
  rowsRead: number;
  totalRows: number;
}

export function ProgressLine({
  label,
  progress,
  width,
}: {
  label: string;
  progress: Progress | undefined;
  width: number;
}): React.JSX.Element {
  const total = progress?.totalRows ?? 0;
  const read = progress?.rowsRead ?? 0;
  const counts =
    total > 0
      ? ` ${formatCount(read)} / ${formatCount(total)} rows`
      : read > 0
        ? ` ${formatCount(read)} rows`
        : '';
  const barWidth = Math.max(0, Math.min(30, width - label.length - counts.length - 2));
  const filled = total > 0 ? Math.round((Math.min(read, total) / total) * barWidth) : 0;
  return (
    <Text wrap="truncate">
      <Text color="yellow">{label} </Text>
      <Text color="green">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>
      {counts}
    </Text>
  );
}
