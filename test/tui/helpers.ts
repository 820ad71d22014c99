/** Rendering helpers for TUI tests: wait for frames, send keys, strip colors. */
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import type { AnalyzeOptions } from '../../src/analyze/types.js';
import { App, type AppProps } from '../../src/tui/app.js';
import { batchSource, type TraceSource } from '../../src/tui/sources.js';
import { fixtureBatches } from './fixture.js';
import { visibleWidth } from '../../src/tui/format.js';

export const KEYS = {
  tab: '\t',
  shiftTab: '\u001b[Z',
  down: '\u001b[B',
  up: '\u001b[A',
  left: '\u001b[D',
  right: '\u001b[C',
  enter: '\r',
  escape: '\u001b',
  backspace: '\u007f',
  ctrlC: '\u0003',
};

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export type Rendered = ReturnType<typeof render> & {
  screen(): string;
  waitFor(predicate: (screen: string) => boolean, what: string): Promise<string>;
  press(...keys: string[]): Promise<void>;
};

/** Polls until the frame satisfies `predicate` (the analysis runs asynchronously). */
export function renderApp(props: AppProps): Rendered {
  const instance = render(createElement(App, props));
  const screen = (): string => stripAnsi(instance.lastFrame() ?? '');
  return Object.assign(instance, {
    screen,
    async waitFor(predicate: (s: string) => boolean, what: string): Promise<string> {
      for (let i = 0; i < 500; i++) {
        const s = screen();
        if (predicate(s)) return s;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`screen never showed ${what}; last frame:\n${screen()}`);
    },
    async press(...keys: string[]): Promise<void> {
      for (const key of keys) {
        instance.stdin.write(key);
        // Let Ink's input parser and React commit the update before the next key.
        await new Promise((r) => setTimeout(r, 30));
      }
    },
  });
}

export function widestLine(screen: string): number {
  return Math.max(0, ...screen.split('\n').map(visibleWidth));
}

/** Polls `check` until it returns true (effects such as quitting run after a render). */
export async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Records every filter the app asked for, so tests can see analysis re-runs. */
export function recordingSource(): { source: TraceSource; filters: AnalyzeOptions['filter'][] } {
  const inner = batchSource('fixture.parquet', fixtureBatches());
  const filters: AnalyzeOptions['filter'][] = [];
  return {
    filters,
    source: {
      label: inner.label,
      analyze: (options) => {
        filters.push(options.filter);
        return inner.analyze(options);
      },
    },
  };
}
