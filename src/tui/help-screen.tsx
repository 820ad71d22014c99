/** The `?` screen: every key, one line each, fitting 80×24. */
import { Box, Text } from 'ink';
import { VIEWS } from './views.js';

const KEYS: [string, string][] = [
  ['1-9, letter', 'switch view (letter in brackets on the tab bar)'],
  ['Tab / S-Tab', 'next / previous view'],
  ['↑ ↓ j k', 'scroll one row;  PgUp PgDn: one page;  Home/End'],
  ['← → [ ]', 'latency view: previous / next op'],
  ['/', 'filter prompt, e.g.  op=read path=**/*.db pid=123 from=1s to=5s'],
  ['c', 'clear filters (re-runs the analysis)'],
  ['?', 'this help (any key closes it)'],
  ['q, Ctrl-C', 'quit'],
];

export function HelpScreen({ width }: { width: number }): React.JSX.Element {
  const viewLine = VIEWS.map((v, i) => `${i + 1}/${v.key} ${v.title}`).join('  ');
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>Keys</Text>
      {KEYS.map(([key, what]) => (
        <Text key={key} wrap="truncate">
          <Text color="cyan">{key.padEnd(13)}</Text>
          {what}
        </Text>
      ))}
      <Text> </Text>
      <Text bold>Views</Text>
      <Text wrap="wrap">{viewLine}</Text>
      <Text dimColor wrap="wrap">
        Diff (d) appears when two traces are given: interposer-tui before.parquet after.parquet
      </Text>
      <Text> </Text>
      <Text bold>Filter terms</Text>
      <Text wrap="wrap">
        op=NAME[,NAME] path=GLOB pid=N[,N] from=TIME to=TIME (TIME: 1.5s, 200ms, 2m; since trace start). Terms
        combine with AND; repeated keys with OR.
      </Text>
    </Box>
  );
}
