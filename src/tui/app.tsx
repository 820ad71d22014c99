/**
 * The TUI: tab bar, status line, the current view, and a footer that doubles as the filter
 * prompt. Analysis runs in useAnalysis once per filter; everything else only formats reports.
 */
import { Box, Text, useApp, useInput, type Key } from 'ink';
import { useMemo, useReducer, useRef } from 'react';
import { diffReports } from '../analyze/diff.js';
import type { Report, ReportDiff } from '../analyze/types.js';
import { ErrorScreen } from './error-screen.js';
import { formatFilter, isEmptyFilter, parseFilter, toTraceFilter } from './filter-spec.js';
import { truncateLeft } from './format.js';
import { HelpScreen } from './help-screen.js';
import { LinesView, maxScroll } from './lines-view.js';
import { ProgressLine } from './progress-bar.js';
import type { TraceSource } from './sources.js';
import { initialState, reduce, viewForKey, type UiAction, type UiState } from './state.js';
import { TabBar } from './tab-bar.js';
import { useAnalysis, type Loaded } from './use-analysis.js';
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
    return <ProgressLine label="Re-analyzing" progress={analysis.progress} width={width} />;
  }
  const filter = formatFilter(ui.filter);
  const names = labels.join(' vs ');
  const filterText = filter ? `  filter: ${filter}` : '';
  const room = Math.max(8, width - filterText.length);
  return (
    <Text wrap="truncate">
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
  const hints = `?:help  1-9/Tab:views  ↑↓:scroll${canFilter ? '  /:filter' : ''}${isEmptyFilter(ui.filter) ? '' : '  c:clear'}  q:quit`;
  return (
    <Text dimColor wrap="truncate">
      {truncateLeft(hints, width)}
    </Text>
  );
}

/** Key -> action, given what is on screen. Returns 'quit' for q / Ctrl-C. */
function keyToAction(
  input: string,
  key: Key,
  ui: UiState,
  pageSize: number,
  scrollMax: number,
  histogramCount: number,
): UiAction | 'quit' | undefined {
  if (key.ctrl && input === 'c') return 'quit';
  if (ui.prompt) {
    if (key.escape) return { type: 'prompt-close' };
    if (key.backspace || key.delete)
      return { type: 'prompt-edit', text: [...ui.prompt.text].slice(0, -1).join('') };
    if (key.return) return undefined; // handled by the caller (needs parsing)
    if (input && !key.ctrl && !key.meta) return { type: 'prompt-edit', text: ui.prompt.text + input };
    return undefined;
  }
  if (input === 'q') return 'quit';
  if (ui.help) return { type: 'help', show: false };
  if (input === '?') return { type: 'help', show: true };
  if (input === '/') return { type: 'prompt-open' };
  if (input === 'c') return { type: 'filter', filter: {} };
  if (key.tab) return { type: 'cycle', delta: key.shift ? -1 : 1 };
  if (key.downArrow || input === 'j') return { type: 'scroll', delta: 1, max: scrollMax };
  if (key.upArrow || input === 'k') return { type: 'scroll', delta: -1, max: scrollMax };
  if (key.pageDown || input === ' ') return { type: 'scroll', delta: pageSize, max: scrollMax };
  if (key.pageUp) return { type: 'scroll', delta: -pageSize, max: scrollMax };
  if (key.home || input === 'g') return { type: 'scroll', delta: -Infinity, max: scrollMax };
  if (key.end || input === 'G') return { type: 'scroll', delta: Infinity, max: scrollMax };
  if (ui.view === 'histogram' && (key.leftArrow || input === '['))
    return { type: 'histogram-op', delta: -1, count: histogramCount };
  if (ui.view === 'histogram' && (key.rightArrow || input === ']'))
    return { type: 'histogram-op', delta: 1, count: histogramCount };
  if (ui.view === 'files' && input === 'x') return { type: 'hot-directories' };
  if (ui.view === 'files' && input === 'b') return { type: 'hot-sort' };
  const view = viewForKey(input, ui.views);
  if (view) return { type: 'view', view };
  return undefined;
}

export function App({ sources, size, onExit, diff = diffReports }: AppProps): React.JSX.Element {
  const { exit } = useApp();
  const terminal = useTerminalSize(size);
  const [ui, dispatch] = useReducer(reduce, sources.length, initialState);
  const filterKey = formatFilter(ui.filter);
  const traceFilter = useMemo(() => toTraceFilter(ui.filter), [filterKey]);
  const analysis = useAnalysis(sources, traceFilter, filterKey, diff);
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
      loaded
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

  // Ink may deliver a key to the handler of the previous render (its subscription is refreshed in
  // an effect); reading the latest render's values through a ref keeps fast typing correct.
  const live = useRef({ ui, analysis, content, loaded, bodyHeight });
  live.current = { ui, analysis, content, loaded, bodyHeight };

  useInput((input, key) => {
    const { ui, analysis, content, loaded, bodyHeight } = live.current;
    const quit = (): void => {
      if (analysis.status === 'error') onExit?.(1, analysis.message);
      else onExit?.(0);
      exit();
    };
    if (analysis.status === 'error') {
      if (input === 'q' || (key.ctrl && input === 'c') || key.escape || key.return) quit();
      return;
    }
    if (ui.prompt && key.return) {
      const parsed = parseFilter(ui.prompt.text);
      if (parsed.ok) dispatch({ type: 'filter', filter: parsed.spec });
      else dispatch({ type: 'prompt-error', error: parsed.error });
      return;
    }
    const scrollMax = content ? maxScroll(content, bodyHeight) : 0;
    const histCount = loaded ? histogramsInOpOrder(loaded.reports[0]!).length : 0;
    const action = keyToAction(input, key, ui, Math.max(1, bodyHeight - 3), scrollMax, histCount);
    if (action === 'quit') quit();
    else if (action && (action.type !== 'prompt-open' || canFilter)) dispatch(action);
  });

  if (analysis.status === 'error') return <ErrorScreen message={analysis.message} width={width} />;

  let main: React.JSX.Element;
  if (ui.help) main = <HelpScreen width={width} />;
  else if (!content) {
    main = (
      <Box flexDirection="column">
        <ProgressLine
          label={`Reading ${labels.join(', ')}`}
          progress={analysis.status === 'loading' ? analysis.progress : undefined}
          width={width}
        />
      </Box>
    );
  } else
    main = <LinesView content={content} width={width} height={bodyHeight} scroll={ui.scroll[ui.view] ?? 0} />;

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
