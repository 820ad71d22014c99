/** Draws a view's content: fixed lines, then the visible window of the scrolling body. */
import { Box, Text } from 'ink';
import type { FilterSpec } from './filter-spec.js';
import type { Line, ViewContent } from './lines.js';

export function maxScroll(content: ViewContent, height: number): number {
  return Math.max(0, content.body.length - Math.max(0, height - content.fixed.length));
}

/** The filter of the row LinesView shows as selected (the top visible row of the body). */
export function selectedTarget(content: ViewContent, height: number, scroll: number): FilterSpec | undefined {
  const room = Math.max(0, height - content.fixed.length);
  const first = Math.max(0, Math.min(scroll, content.body.length - room));
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
  const first = Math.max(0, Math.min(scroll, content.body.length - room));
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
