/**
 * The TUI: tab bar, status line, the current view, and a footer that doubles as the filter
 * prompt. Analysis runs in useAnalysis once per filter; everything else only formats reports.
 */
import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useMemo, useReducer, useRef } from 'react';
import { diffReports } from '../analyze/diff.js';
import type { Report, ReportDiff } from '../analyze/types.js';
import { ErrorScreen } from './error-screen.js';
import { FollowStatus, followText } from './follow-status.js';
import { formatFilter, isEmptyFilter, toSourceFilter, toTraceFilter } from './filter-spec.js';
import { truncateLeft } from './format.js';
import { helpContent } from './help-screen.js';
import { LinesView, maxScroll, selectedTarget } from './lines-view.js';
import { ProgressLine } from './progress-bar.js';
import type { TraceSource } from './sources.js';
import { reduceWithKeys, type KeyEnv } from './keys.js';
import { initialState, type UiState } from './state.js';
import { TabBar } from './tab-bar.js';
import { useAnalysis, type FirstReports, type Loaded } from './use-analysis.js';
import { useTerminalSize, type TerminalSize } from './use-terminal-size.js';
import { histogramsInOpOrder } from './views/histogram.js';
import { RENDERERS } from './views/index.js';

export interface AppProps {
  sources: readonly TraceSource[];
  /** Fixed size instead of the terminal's (tests). */
  size?: Partial<TerminalSize>;
  /** Called once when the user quits: exit code (non-zero after an error) and the error shown. */
  onExit?: (code: number, message?: string) => void;
  /** Override of the diff (defaults to the analysis library's). */
  diff?: (a: Report, b: Report) => ReportDiff;
  /** The unfiltered traces' first quick reports, when ready before the first draw. */
  first?: FirstReports;
}

/** Lines above and below the view: tab bar, status line; footer/prompt. */
const CHROME_LINES = 3;

function StatusLine({
  labels,
  ui,
  analysis,
  width,
}: {
  labels: readonly string[];
  ui: UiState;
  analysis: ReturnType<typeof useAnalysis>;
  width: number;
}): React.JSX.Element {
  if (analysis.status === 'loading' && analysis.previous) {
    const label = analysis.previous.preview
      ? 'First rows shown; aggregating all'
      : analysis.previous.partial
        ? 'Aggregates ready; reading rows for patterns'
        : 'Re-analyzing';
    return <ProgressLine label={label} progress={analysis.progress} width={width} />;
  }
  const filter = formatFilter(ui.filter);
  const names = labels.join(' vs ');
  const filterText = filter ? `  filter: ${filter}` : '';
  const follow = analysis.status === 'ready' ? analysis.follow : undefined;
  // The follow status comes first: it is what changes; the rest is cut when the line is short.
  const followRoom = follow ? followText(follow, Date.now()).length + 2 : 0;
  const room = Math.max(8, width - filterText.length - followRoom);
  return (
    <Text wrap="truncate">
      {follow ? <FollowStatus info={follow} /> : null}
      {follow ? '  ' : null}
      <Text color="cyan">{truncateLeft(names, room)}</Text>
      <Text color="magenta">{filterText}</Text>
    </Text>
  );
}

function Footer({
  ui,
  width,
  canFilter,
}: {
  ui: UiState;
  width: number;
  canFilter: boolean;
}): React.JSX.Element {
  if (ui.prompt) {
    return (
      <Text wrap="truncate">
        <Text color="magenta" bold>
          filter›{' '}
        </Text>
        {ui.prompt.text}
        <Text inverse> </Text>
        {ui.prompt.error ? <Text color="red">{`  ${ui.prompt.error}`}</Text> : null}
      </Text>
    );
  }
  const hints =
    `?:help  0-9/Tab:views  ↑↓:scroll${canFilter ? '  /:filter  ⏎:drill' : ''}` +
    `${ui.history.length ? '  ⌫:back' : ''}${isEmptyFilter(ui.filter) ? '' : '  c:clear'}  q:quit`;
  return (
    <Text dimColor wrap="truncate">
      {truncateLeft(hints, width)}
    </Text>
  );
}

export function App({ sources, size, onExit, diff = diffReports, first }: AppProps): React.JSX.Element {
  const { exit } = useApp();
  const terminal = useTerminalSize(size);
  const [ui, dispatch] = useReducer(reduceWithKeys, sources.length, initialState);
  const filterKey = formatFilter(ui.filter);
  const traceFilter = useMemo(() => toTraceFilter(ui.filter), [filterKey]);
  const sourceFilter = useMemo(() => toSourceFilter(ui.filter), [filterKey]);
  const analysis = useAnalysis(sources, traceFilter, filterKey, diff, sourceFilter, first);
  const labels = sources.map((s) => s.label);
  const canFilter = sources.every((s) => s.canFilter !== false);

  // Ink leaves the last line for the cursor; one line less avoids a scroll on full-height output.
  const width = Math.max(20, terminal.columns);
  const height = Math.max(8, terminal.rows - 1);
  const bodyHeight = height - CHROME_LINES;

  const loaded: Loaded | undefined =
    analysis.status === 'ready' ? analysis : analysis.status === 'loading' ? analysis.previous : undefined;
  const content = useMemo(
    () =>
      ui.help
        ? helpContent(width)
        : loaded
          ? RENDERERS[ui.view]({
              reports: loaded.reports,
              diff: loaded.diff,
              labels,
              width,
              height: bodyHeight,
              ui,
            })
          : undefined,
    // labels derive from sources
    [loaded, ui, width, bodyHeight, sources],
  );

  // Keys are interpreted by the reducer against the latest state: several keys can arrive
  // before React re-renders (fast typing in the filter prompt), and a handler closure would see
  // stale state. What only the render knows (scroll limits) comes along with the key.
  const env: KeyEnv = {
    pageSize: Math.max(1, bodyHeight - 3),
    scrollMax: content ? maxScroll(content, bodyHeight) : 0,
    histogramCount: loaded ? histogramsInOpOrder(loaded.reports[0]!).length : 0,
    canFilter,
    failed: analysis.status === 'error',
    target: !ui.help && content ? selectedTarget(content, bodyHeight, ui.scroll[ui.view] ?? 0) : undefined,
  };
  const envRef = useRef(env);
  envRef.current = env;
  useInput((input, key) => dispatch({ type: 'key', input, key, env: envRef.current }));

  const quitRequested = ui.quit;
  useEffect(() => {
    if (!quitRequested) return;
    if (analysis.status === 'error') onExit?.(1, analysis.message);
    else onExit?.(0);
    exit();
  }, [quitRequested]);

  if (analysis.status === 'error')
    return <ErrorScreen message={analysis.message} width={width} canGoBack={ui.history.length > 0} />;

  let main: React.JSX.Element;
  if (!content) {
    main = (
      <Box flexDirection="column">
        <ProgressLine
          label={
            analysis.status === 'loading' && analysis.waiting
              ? `Waiting for ${labels.join(', ')}: ${analysis.waiting}`
              : `Reading ${labels.join(', ')}`
          }
          progress={analysis.status === 'loading' ? analysis.progress : undefined}
          width={width}
        />
      </Box>
    );
  } else
    main = (
      <LinesView
        content={content}
        width={width}
        height={bodyHeight}
        scroll={ui.help ? ui.helpScroll : (ui.scroll[ui.view] ?? 0)}
      />
    );

  return (
    <Box flexDirection="column" width={width} height={height}>
      <TabBar current={ui.view} views={ui.views} width={width} />
      <StatusLine labels={labels} ui={ui} analysis={analysis} width={width} />
      <Box flexDirection="column" height={bodyHeight} overflow="hidden">
        {main}
      </Box>
      <Footer ui={ui} width={width} canFilter={canFilter} />
    </Box>
  );
}
