/**
 * UI state (which view, scroll positions, prompt, help) as a reducer, so key handling is a
 * pure function that tests can drive without rendering.
 */
import type { FilterSpec } from './filter-spec.js';
import { availableViews, VIEWS, type ViewId } from './views.js';

export interface UiState {
  view: ViewId;
  views: ViewId[];
  help: boolean;
  helpScroll: number;
  /** Set by q / Ctrl-C; the App exits once it sees it. */
  quit: boolean;
  /** Open filter prompt: text typed so far and the last parse error. */
  prompt: { text: string; error?: string } | undefined;
  filter: FilterSpec;
  /** First visible row per view (tables scroll). */
  scroll: Partial<Record<ViewId, number>>;
  /** Index into the report's ops for the latency histogram. */
  histogramOp: number;
  /** Hot list shown in the files view. */
  hot: { directories: boolean; by: HotSort };
  /** Filters left by drilling in or changing the filter; Backspace returns to the last one. */
  history: FilterSpec[];
}

export const HOT_SORTS = ['time', 'bytes', 'ops'] as const;
export type HotSort = (typeof HOT_SORTS)[number];

export type UiAction =
  | { type: 'view'; view: ViewId }
  | { type: 'cycle'; delta: 1 | -1 }
  | { type: 'help'; show?: boolean }
  | { type: 'scroll'; delta: number; max: number }
  | { type: 'histogram-op'; delta: number; count: number }
  | { type: 'hot-directories' }
  | { type: 'hot-sort' }
  | { type: 'prompt-open' }
  | { type: 'prompt-edit'; text: string }
  | { type: 'prompt-error'; error: string }
  | { type: 'prompt-close' }
  | { type: 'filter'; filter: FilterSpec }
  | { type: 'drill'; target: FilterSpec }
  | { type: 'back' };

export function initialState(traceCount: number): UiState {
  return {
    view: traceCount >= 2 ? 'diff' : 'overview',
    views: availableViews(traceCount),
    help: false,
    helpScroll: 0,
    quit: false,
    prompt: undefined,
    filter: {},
    scroll: {},
    histogramOp: 0,
    hot: { directories: false, by: 'time' },
    history: [],
  };
}

/** The current filter narrowed by a row's filter (its keys replace the same keys). */
export function drillFilter(current: FilterSpec, target: FilterSpec): FilterSpec {
  const next = { ...current, ...target };
  // Source terms narrow one by one (a pod inside a node), like the other keys.
  if (current.sources && target.sources) next.sources = { ...current.sources, ...target.sources };
  return next;
}

function wrap(i: number, n: number): number {
  return ((i % n) + n) % n;
}

export function reduce(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'view':
      return state.views.includes(action.view) ? { ...state, view: action.view, help: false } : state;
    case 'cycle': {
      const i = state.views.indexOf(state.view);
      return { ...state, view: state.views[wrap(i + action.delta, state.views.length)]!, help: false };
    }
    case 'help':
      return { ...state, help: action.show ?? !state.help, helpScroll: 0 };
    case 'scroll': {
      if (state.help) {
        return { ...state, helpScroll: Math.max(0, Math.min(action.max, state.helpScroll + action.delta)) };
      }
      const current = state.scroll[state.view] ?? 0;
      const next = Math.max(0, Math.min(action.max, current + action.delta));
      return { ...state, scroll: { ...state.scroll, [state.view]: next } };
    }
    case 'histogram-op':
      if (action.count === 0) return state;
      return { ...state, histogramOp: wrap(state.histogramOp + action.delta, action.count) };
    case 'hot-directories':
      return {
        ...state,
        hot: { ...state.hot, directories: !state.hot.directories },
        scroll: { ...state.scroll, files: 0 },
      };
    case 'hot-sort': {
      const by = HOT_SORTS[wrap(HOT_SORTS.indexOf(state.hot.by) + 1, HOT_SORTS.length)]!;
      return { ...state, hot: { ...state.hot, by }, scroll: { ...state.scroll, files: 0 } };
    }
    case 'prompt-open':
      return { ...state, prompt: { text: '' }, help: false };
    case 'prompt-edit':
      return { ...state, prompt: { text: action.text } };
    case 'prompt-error':
      return state.prompt ? { ...state, prompt: { ...state.prompt, error: action.error } } : state;
    case 'prompt-close':
      return { ...state, prompt: undefined };
    case 'filter':
      // A new filter changes every list: start each view from its top again.
      return {
        ...state,
        filter: action.filter,
        prompt: undefined,
        scroll: {},
        history: [...state.history, state.filter],
      };
    case 'drill':
      return reduce(state, { type: 'filter', filter: drillFilter(state.filter, action.target) });
    case 'back': {
      const previous = state.history[state.history.length - 1];
      if (!previous) return state;
      return {
        ...state,
        filter: previous,
        prompt: undefined,
        scroll: {},
        history: state.history.slice(0, -1),
      };
    }
  }
}

/** Maps a typed character to the view it selects: digits by position, letters by mnemonic. */
export function viewForKey(input: string, views: readonly ViewId[]): ViewId | undefined {
  if (/^[0-9]$/.test(input)) {
    // 1-9 by position, 0 for the tenth.
    const v = VIEWS[(Number(input) + 9) % 10];
    return v && views.includes(v.id) ? v.id : undefined;
  }
  const v = VIEWS.find((x) => x.key === input);
  return v && views.includes(v.id) ? v.id : undefined;
}
