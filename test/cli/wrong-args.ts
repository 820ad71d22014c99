/**
 * Generators of wrong command lines for every command, built from the commands' own specs: an
 * unknown option, an option without its value, a value the option refuses, a path of the wrong
 * kind. Each comes with the exit code it must get and the text the one-line message must name.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { CommandSpec, OptionSpec, PathKind, PathRole } from '../../src/cli/args/index.js';

export interface CommandUnderTest {
  /** "analyze", or "interposer-tui" for the TUI program. */
  name: string;
  spec: CommandSpec;
}

/** Every command the `interposer` CLI routes to, plus the TUI program. */
export async function loadCommands(): Promise<CommandUnderTest[]> {
  const modules = {
    mount: import('../../src/cli/commands/mount.js'),
    unmount: import('../../src/cli/commands/unmount.js'),
    demo: import('../../src/cli/commands/demo.js'),
    recover: import('../../src/cli/commands/recover.js'),
    analyze: import('../../src/cli/commands/analyze.js'),
    replay: import('../../src/cli/commands/replay.js'),
    faults: import('../../src/cli/commands/faults.js'),
    export: import('../../src/cli/commands/export.js'),
    ctl: import('../../src/cli/commands/ctl.js'),
    csi: import('../../src/cli/commands/csi.js'),
    'interposer-tui': import('../../src/cli/commands/tui.js'),
  };
  const out: CommandUnderTest[] = [];
  for (const [name, load] of Object.entries(modules)) {
    out.push({ name, spec: (await load).command.spec as CommandSpec });
  }
  return out;
}

/** A scratch directory holding one path of every kind the specs ask for. */
export interface Scratch {
  root: string;
  /** The working directory of spawned commands (default outputs would land here). */
  cwd: string;
  file: string;
  dirA: string;
  dirB: string;
  socket: string;
  missing: string;
  close(): Promise<void>;
}

export async function makeScratch(): Promise<Scratch> {
  const root = mkdtempSync(join(tmpdir(), 'interposer-wrong-args-'));
  const cwd = join(root, 'cwd');
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  for (const d of [cwd, dirA, dirB]) mkdirSync(d);
  const file = join(root, 'file.parquet');
  writeFileSync(file, 'not looked at: every command line here is refused before any file is read\n');
  const socket = join(root, 'ctl.sock');
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    root,
    cwd,
    file,
    dirA,
    dirB,
    socket,
    missing: join(root, 'no-such-thing'),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A path that fits `kind`; for two dir positionals (mount), two different dirs. */
function goodPath(s: Scratch, kind: PathKind, role: PathRole, index: number): string {
  if (kind === 'dir') return index % 2 === 0 ? s.dirA : s.dirB;
  if (kind === 'socket') return role === 'input' ? s.socket : join(s.root, 'new.sock');
  return role === 'input' ? s.file : join(s.root, 'new-output');
}

/** Positional arguments the spec accepts (so the one injected mistake is the only one). */
export function skeleton(spec: CommandSpec, s: Scratch): string[] {
  return spec.positionals
    .filter((p) => !p.optional)
    .map((p, i) => (p.path ? goodPath(s, p.path.pathKind, p.path.role, i) : 'x'));
}

export interface Mistake {
  kind: 'unknown option' | 'missing value' | 'bad value' | 'wrong path';
  argv: string[];
  exit: 1 | 2;
  /** The message must contain this (the option or the path it refuses). */
  names: string;
}

const NUMBERISH = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Values `option` must refuse. */
function badValue(option: OptionSpec): fc.Arbitrary<string> | null {
  const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
  switch (option.kind) {
    case 'number': {
      const bad: fc.Arbitrary<string>[] = [
        word.filter((w) => !NUMBERISH.test(w)),
        fc.constantFrom('', '0x10', '1,5', 'NaN', 'Infinity', '1e999'),
      ];
      if (option.min !== undefined) {
        const below = option.minExclusive ? option.min : option.min - 1;
        bad.push(fc.integer({ min: 0, max: 1000 }).map((k) => String(below - k)));
      }
      if (option.max !== undefined)
        bad.push(fc.integer({ min: 1, max: 1000 }).map((k) => String(option.max! + k)));
      if (option.integer) bad.push(fc.integer({ min: 1, max: 99 }).map((k) => `${k}.5`));
      return fc.oneof(...bad);
    }
    case 'duration':
      return fc.oneof(
        word.filter((w) => !/^\d/.test(w)),
        fc.constantFrom('-5s', '1.5.5s', '10 parsecs', '1e3ms', ''),
      );
    case 'enum':
      return word.filter((w) => !option.choices.includes(w));
    case 'list':
      return option.choices ? word.filter((w) => !option.choices!.includes(w)) : null;
    case 'string':
      return option.nonEmpty === false ? null : fc.constant('');
    case 'custom': {
      const rejects = (text: string): boolean => {
        try {
          option.parse(text);
          return false;
        } catch {
          return true;
        }
      };
      const samples = ['[', '{a', 'op=', '=', ',,', '%%', 'x>', 'op=nope,errno=EIO'];
      // An option that accepts any text (analyze --source KEY=GLOB) has no bad value to generate:
      // filtering for one would never end.
      if (!samples.some(rejects)) return null;
      return fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...samples)).filter(rejects);
    }
    default:
      return null;
  }
}

/** A path of the wrong kind for a `kind`/`role` slot, and the exit code refusing it must give. */
function wrongPath(s: Scratch, kind: PathKind, role: PathRole): fc.Arbitrary<{ path: string; exit: 1 | 2 }> {
  if (role === 'input') {
    const wrong =
      kind === 'dir'
        ? [s.file, s.socket, s.missing]
        : kind === 'socket'
          ? [s.file, s.dirA, s.missing]
          : [s.dirA, s.socket, s.missing];
    return fc.constantFrom(...wrong).map((path) => ({ path, exit: 1 as const }));
  }
  const wrong =
    kind === 'dir'
      ? [s.file, s.socket]
      : kind === 'socket'
        ? [s.file, s.dirA]
        : [s.dirA, join(s.missing, 'x')];
  return fc.constantFrom(...wrong).map((path) => ({ path, exit: 2 as const }));
}

function insertAt(argv: readonly string[], index: number, ...items: string[]): string[] {
  return [...argv.slice(0, index), ...items, ...argv.slice(index)];
}

/** Every kind of mistake this spec can be given, one at a time. */
export function mistakes(spec: CommandSpec, s: Scratch): fc.Arbitrary<Mistake> {
  const base = skeleton(spec, s);
  const options = Object.entries(spec.options);
  const shorts = new Set(options.map(([, o]) => o.short).filter(Boolean));
  const arbs: fc.Arbitrary<Mistake>[] = [];

  const unknownLong = fc
    .stringMatching(/^[a-z][a-z0-9-]{0,14}$/)
    .filter((n) => !(n in spec.options) && n !== 'help')
    .map((n) => `--${n}`);
  const unknownShort = fc
    .constantFrom(...'abcdefgijklmnpqrstuvwxyzABCDEFGIJKLMNOPQRSTUVWXYZ'.split(''))
    .filter((c) => !shorts.has(c))
    .map((c) => `-${c}`);
  arbs.push(
    fc
      .tuple(fc.oneof(unknownLong, unknownShort), fc.integer({ min: 0, max: base.length }))
      .map(([flag, at]) => ({
        kind: 'unknown option',
        argv: insertAt(base, at, flag),
        exit: 2,
        names: flag,
      })),
  );

  const needValue = options.filter(([, o]) => o.kind !== 'flag' && !(o.kind === 'custom' && o.optionalValue));
  if (needValue.length) {
    arbs.push(
      fc.constantFrom(...needValue).map(([name]) => ({
        kind: 'missing value',
        argv: [...base, `--${name}`],
        exit: 2,
        names: `--${name}`,
      })),
    );
  }

  for (const [name, option] of options) {
    const bad = badValue(option);
    if (bad) {
      const optional = option.kind === 'custom' && option.optionalValue !== undefined;
      arbs.push(
        fc.tuple(bad, fc.boolean(), fc.integer({ min: 0, max: base.length })).map(([value, inline, at]) => ({
          kind: 'bad value',
          // `--x=v` always carries v; `--x v` only for options whose value is not optional.
          argv:
            inline || optional || value === ''
              ? insertAt(base, at, `--${name}=${value}`)
              : insertAt(base, at, `--${name}`, value),
          exit: 2,
          names: `--${name}`,
        })),
      );
    }
    if (option.kind === 'path') {
      arbs.push(
        wrongPath(s, option.pathKind, option.role).map(({ path, exit }) => ({
          kind: 'wrong path',
          argv: [...base, `--${name}`, path],
          exit,
          names: path,
        })),
      );
    }
  }
  spec.positionals.forEach((p, i) => {
    if (!p.path || p.optional) return;
    arbs.push(
      wrongPath(s, p.path.pathKind, p.path.role).map(({ path, exit }) => {
        const argv = [...base];
        argv[i] = path;
        return { kind: 'wrong path', argv, exit, names: path };
      }),
    );
  });
  return fc.oneof(...arbs);
}
