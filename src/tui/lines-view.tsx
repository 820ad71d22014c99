/** Draws a view's content: fixed lines, then the visible window of the scrolling body. */
import { Box, Text } from 'ink';
import type { FilterSpec } from './filter-spec.js';
import type { Line, ViewContent } from './lines.js';

/**
 * The largest first visible row. Lists one can drill into scroll until their last row is on top,
 * since the top row is the selection: every row can be chosen, even in a list shorter than the
 * screen.
 */
function lastFirstRow(content: ViewContent, room: number): number {
  const rows = content.body.length;
  return Math.max(0, content.targets?.length ? rows - 1 : rows - room);
}

export function maxScroll(content: ViewContent, height: number): number {
  return lastFirstRow(content, Math.max(0, height - content.fixed.length));
}

/** The filter of the row LinesView shows as selected (the top visible row of the body). */
export function selectedTarget(content: ViewContent, height: number, scroll: number): FilterSpec | undefined {
  const room = Math.max(0, height - content.fixed.length);
  const first = Math.max(0, Math.min(scroll, lastFirstRow(content, room)));
  return content.targets?.[first];
}

function LineText({ line }: { line: Line }): React.JSX.Element {
  return (
    <Text wrap="truncate">
      {line.map((s, i) => (
        <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

export function LinesView({
  content,
  width,
  height,
  scroll,
}: {
  content: ViewContent;
  width: number;
  height: number;
  scroll: number;
}): React.JSX.Element {
  const fixed = content.fixed.slice(0, height);
  const room = Math.max(0, height - fixed.length);
  const first = Math.max(0, Math.min(scroll, lastFirstRow(content, room)));
  const window = content.body.slice(first, first + room);
  // Rows one can drill into: the top visible one is the selection (Enter filters to it).
  const selected = content.targets?.[first] ? 0 : -1;
  const more = content.body.length - (first + window.length);
  return (
    <Box flexDirection="column" width={width} height={height}>
      {fixed.map((line, i) => (
        <LineText key={`f${i}`} line={line} />
      ))}
      {window.map((line, i) =>
        // The last visible line says how much is below instead of showing a cut-off row.
        i === window.length - 1 && more > 0 ? (
          <Text key="more" dimColor wrap="truncate">
            {`… ${more + 1} more (↓/PgDn)`}
          </Text>
        ) : (
          <LineText
            key={`b${first + i}`}
            line={i === selected ? line.map((s) => ({ ...s, inverse: true })) : line}
          />
        ),
      )}
    </Box>
  );
}
