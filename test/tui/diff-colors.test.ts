import { describe, expect, it } from 'vitest';
import { analyzeBatches } from '../../src/analyze/analyze.js';
import { diffReports } from '../../src/analyze/diff.js';
import { lineText } from '../../src/tui/lines.js';
import { initialState } from '../../src/tui/state.js';
import { costColor, renderDiff } from '../../src/tui/views/diff.js';
import { fixtureBatches } from './fixture.js';

describe('diff colors', () => {
  it('red when a cost grows more than 5%, green when it shrinks, none in between', () => {
    expect(costColor({ a: 100, b: 300, delta: 200, ratio: 3 })).toBe('red');
    expect(costColor({ a: 300, b: 100, delta: -200, ratio: 1 / 3 })).toBe('green');
    expect(costColor({ a: 100, b: 103, delta: 3, ratio: 1.03 })).toBeUndefined();
    expect(costColor({ a: 0, b: 5, delta: 5, ratio: null })).toBe('red');
    expect(costColor({ a: 0, b: 0, delta: 0, ratio: null })).toBeUndefined();
  });

  it('colors the slower trace red and the faster green in the rendered diff', async () => {
    const before = await analyzeBatches(fixtureBatches(1));
    const after = await analyzeBatches(fixtureBatches(3));
    const view = (a: typeof before, b: typeof before) =>
      renderDiff({
        reports: [a, b],
        diff: diffReports(a, b),
        labels: ['a', 'b'],
        width: 100,
        height: 40,
        ui: initialState(2),
      });
    const readRow = (content: ReturnType<typeof view>) =>
      content.body.find((l) => lineText(l).startsWith('read'))!;
    const slower = readRow(view(before, after)).find((s) => s.text.includes('×3.00'));
    expect(slower?.color).toBe('red');
    const faster = readRow(view(after, before)).find((s) => s.text.includes('×0.33'));
    expect(faster?.color).toBe('green');
    // Unchanged ops stay uncolored.
    const fsync = view(before, after).body.find((l) => lineText(l).startsWith('fsync'))!;
    expect(fsync.filter((s) => s.text.includes('×1.00')).every((s) => s.color === undefined)).toBe(true);
  });
});
