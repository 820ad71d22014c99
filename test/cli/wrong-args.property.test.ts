/**
 * Every command, given generated wrong arguments, refuses them the same way: a UsageError (exit
 * 2) or, for an input file that cannot be used, an InputError (exit 1), with one line naming the
 * problem. In-process, through the commands' own specs: cheap enough for many runs. The same
 * mistakes go through the built CLI as real processes in wrong-args.process.test.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args/index.js';
import { oneLine } from '../../src/cli/report-failure.js';
import { UserError } from '../../src/errors.js';
import {
  loadCommands,
  makeScratch,
  mistakes,
  skeleton,
  type CommandUnderTest,
  type Scratch,
} from './wrong-args.js';

let scratch: Scratch;
let commands: CommandUnderTest[];

beforeAll(async () => {
  scratch = await makeScratch();
  commands = await loadCommands();
});
afterAll(async () => {
  await scratch.close();
});

describe('wrong arguments, in process', () => {
  it('every command accepts its skeleton (so each generated mistake is the only one)', () => {
    for (const { name, spec } of commands) {
      expect(() => parseCommandLine(spec, skeleton(spec, scratch)), name).not.toThrow();
    }
  });

  it('every mistake is a UserError with the right exit code and one line naming it', () => {
    const all = fc.oneof(
      ...commands.map((c) => mistakes(c.spec, scratch).map((m) => ({ command: c.name, spec: c.spec, ...m }))),
    );
    fc.assert(
      fc.property(all, ({ command, spec, kind, argv, exit, names }) => {
        let caught: unknown;
        try {
          parseCommandLine(spec, argv);
        } catch (err) {
          caught = err;
        }
        const what = `${command} ${JSON.stringify(argv)} (${kind})`;
        expect(caught, what).toBeInstanceOf(UserError);
        const err = caught as UserError;
        expect(err.exitCode, `${what}: ${err.message}`).toBe(exit);
        const line = oneLine(`interposer ${command}`, err.message);
        expect(line, what).not.toContain('\n');
        // Names the problem as typed: the option, or the path.
        expect(line, what).toContain(names);
      }),
      { numRuns: 600 },
    );
  });
});
