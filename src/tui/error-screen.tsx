/** Shown instead of the views when a trace cannot be opened or analyzed. */
import { Box, Text } from 'ink';

export function ErrorScreen({
  message,
  width,
  canGoBack = false,
}: {
  message: string;
  width: number;
  /** A filter led here: Backspace returns to the previous one. */
  canGoBack?: boolean;
}): React.JSX.Element {
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor="red" paddingX={1}>
      <Text color="red" bold>
        Cannot show this trace
      </Text>
      <Text wrap="wrap">{message}</Text>
      <Text> </Text>
      <Text dimColor>
        {canGoBack ? 'Backspace: back to the previous filter · q: quit' : 'Press q to quit.'}
      </Text>
    </Box>
  );
}
