/**
 * Key bindings: a key press becomes a state change, decided against the latest state inside
 * the reducer (see App for why).
 */
import type { Key } from 'ink';
import { parseFilter, type FilterSpec } from './filter-spec.js';
import { reduce, viewForKey, type UiAction, type UiState } from './state.js';

/** What the current render knows that the state does not. */
export interface KeyEnv {
  /** Rows one PgUp/PgDn moves. */
  pageSize: number;
  /** Largest scroll offset of what is on screen. */
  scrollMax: number;
  /** Ops the latency view can cycle through. */
  histogramCount: number;
  /** False for saved reports: the filter prompt stays closed. */
  canFilter: boolean;
  /** The error screen is up: only quitting is possible. */
  failed: boolean;
  /** Filter of the selected row (the top visible one) of the current view, if it has one. */
  target?: FilterSpec | undefined;
}

export type KeyAction = { type: 'key'; input: string; key: Partial<Key>; env: KeyEnv };

function promptKey(state: UiState, input: string, key: Partial<Key>): UiState {
  const prompt = state.prompt!;
  if (key.escape) return reduce(state, { type: 'prompt-close' });
  if (key.return) {
    const parsed = parseFilter(prompt.text);
    return parsed.ok
      ? reduce(state, { type: 'filter', filter: parsed.spec })
      : reduce(state, { type: 'prompt-error', error: parsed.error });
  }
  if (key.backspace || key.delete)
    return reduce(state, { type: 'prompt-edit', text: [...prompt.text].slice(0, -1).join('') });
  // Printable text only (pasted text arrives as one multi-character input).
  if (input && !key.ctrl && !key.meta && !key.tab && [...input].every((ch) => ch >= ' ' && ch !== '\u007f')) {
    return reduce(state, { type: 'prompt-edit', text: prompt.text + input });
  }
  return state;
}

export function keyToAction(
  state: UiState,
  input: string,
  key: Partial<Key>,
  env: KeyEnv,
): UiAction | undefined {
  const scroll = (delta: number): UiAction => ({ type: 'scroll', delta, max: env.scrollMax });
  if (key.downArrow || input === 'j') return scroll(1);
  if (key.upArrow || input === 'k') return scroll(-1);
  if (key.pageDown || input === ' ') return scroll(env.pageSize);
  if (key.pageUp) return scroll(-env.pageSize);
  if (key.home || input === 'g') return scroll(-Infinity);
  if (key.end || input === 'G') return scroll(Infinity);
  // Help scrolls with the keys above; any other key closes it.
  if (state.help) return { type: 'help', show: false };
  if (input === '?') return { type: 'help', show: true };
  if (input === '/') return env.canFilter ? { type: 'prompt-open' } : undefined;
  if (input === 'c') return { type: 'filter', filter: {} };
  if (key.return) return env.canFilter && env.target ? { type: 'drill', target: env.target } : undefined;
  if (key.backspace || key.delete) return { type: 'back' };
  if (key.tab) return { type: 'cycle', delta: key.shift ? -1 : 1 };
  if (state.view === 'histogram' && (key.leftArrow || input === '['))
    return { type: 'histogram-op', delta: -1, count: env.histogramCount };
  if (state.view === 'histogram' && (key.rightArrow || input === ']'))
    return { type: 'histogram-op', delta: 1, count: env.histogramCount };
  if (state.view === 'files' && input === 'x') return { type: 'hot-directories' };
  if (state.view === 'files' && input === 'b') return { type: 'hot-sort' };
  const view = viewForKey(input, state.views);
  return view ? { type: 'view', view } : undefined;
}

/** A typed-ahead or pasted chunk ("/op=read\r") as the single key presses it stands for. */
function splitChunk(input: string): { input: string; key: Partial<Key> }[] {
  return [...input].map((ch) => {
    if (ch === '\r' || ch === '\n') return { input: '', key: { return: true } };
    if (ch === '\t') return { input: '', key: { tab: true } };
    if (ch === '\u007f' || ch === '\b') return { input: '', key: { backspace: true } };
    if (ch === '\u0003') return { input: 'c', key: { ctrl: true } };
    return { input: ch, key: {} };
  });
}

export function reduceKey(state: UiState, { input, key, env }: KeyAction): UiState {
  const isChunk = [...input].length > 1 && !key.ctrl && !key.meta && !input.startsWith('\u001b');
  if (isChunk) {
    return splitChunk(input).reduce((s, press) => reduceKey(s, { type: 'key', ...press, env }), state);
  }
  if (key.ctrl && input === 'c') return { ...state, quit: true };
  if (env.failed) {
    // A filter that fails (no trace matches pod=...) is undone with Backspace, not by quitting.
    if ((key.backspace || key.delete) && state.history.length) return reduce(state, { type: 'back' });
    return input === 'q' || key.escape || key.return ? { ...state, quit: true } : state;
  }
  if (state.prompt) return promptKey(state, input, key);
  if (input === 'q') return { ...state, quit: true };
  const action = keyToAction(state, input, key, env);
  return action ? reduce(state, action) : state;
}

export function reduceWithKeys(state: UiState, action: UiAction | KeyAction): UiState {
  return action.type === 'key' ? reduceKey(state, action) : reduce(state, action);
}
