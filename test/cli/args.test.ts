/** The argument layer itself: parsing forms, typed defaults, refusals, and the generated help. */
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineCommand, formatHelp, parseCommandLine } from '../../src/cli/args/index.js';
import { oneLine } from '../../src/cli/report-failure.js';
import { UsageError, UserError } from '../../src/errors.js';
import { loadCommands } from './wrong-args.js';

const SPEC = defineCommand({
  name: 'demo-cmd',
  summary: 'a command for tests',
  description: 'Does nothing.',
  positionals: [
    { name: 'first', help: 'one' },
    { name: 'rest', help: 'more', optional: true, variadic: true },
  ],
  options: {
    json: { kind: 'flag', short: 'j', help: 'json' },
    quiet: { kind: 'flag', short: 'q', help: 'quiet' },
    out: { kind: 'string', short: 'o', help: 'output' },
    top: { kind: 'number', integer: true, min: 1, default: 20, help: 'top' },
    timeout: { kind: 'duration', bareUnit: 's', help: 'timeout' },
    mode: { kind: 'enum', choices: ['fast', 'slow'], default: 'fast', help: 'mode' },
    op: { kind: 'list', choices: ['read', 'write'], help: 'ops' },
    tag: { kind: 'string', multiple: true, help: 'tags' },
    ratio: {
      kind: 'custom',
      parse: (t: string) => {
        const n = Number(t);
        if (!(n >= 0 && n <= 1)) throw new Error(`"${t}" is not a ratio`);
        return n;
      },
      optionalValue: { bare: 1 },
      help: 'ratio',
    },
  },
});

function parse(argv: string[]) {
  const r = parseCommandLine(SPEC, argv);
  if (r.help) throw new Error('help');
  return r;
}

describe('parseCommandLine', () => {
  it('gives typed values with defaults, and tells given options from defaulted ones', () => {
    const r = parse(['a']);
    expect(r.options).toEqual({
      json: false,
      quiet: false,
      out: undefined,
      top: 20,
      timeout: undefined,
      mode: 'fast',
      op: undefined,
      tag: [],
      ratio: undefined,
    });
    expect(r.positionals).toEqual(['a']);
    expect(r.given.size).toBe(0);
    const typed: number = r.options.top; // compile-time: a number, not number | undefined
    expect(typed).toBe(20);
  });

  it('reads every value form: --x v, --x=v, -x v, -xv, short flag clusters, repeats, --', () => {
    const r = parse([
      '-qj',
      '--top=3',
      '-ofile',
      '--tag',
      'a',
      '--tag=b',
      '--op',
      'read',
      '--op=write',
      'p',
      '--',
      '--not-an-option',
    ]);
    expect(r.options).toMatchObject({
      quiet: true,
      json: true,
      top: 3,
      out: 'file',
      tag: ['a', 'b'],
      op: ['read', 'write'],
    });
    expect(r.positionals).toEqual(['p', '--not-an-option']);
    expect(r.given).toEqual(new Set(['quiet', 'json', 'top', 'out', 'tag', 'op']));
    expect(parse(['a', '--timeout', '90']).options.timeout).toBe(90_000_000_000n);
    expect(parse(['a', '--timeout', '250ms']).options.timeout).toBe(250_000_000n);
    expect(parse(['a', '-o', '-']).options.out).toBe('-');
  });

  it('takes an optional value only when it is valid, so positionals are not eaten', () => {
    expect(parse(['--ratio', 'a']).options.ratio).toBe(1);
    expect(parse(['--ratio', 'a']).positionals).toEqual(['a']);
    expect(parse(['--ratio', '0.25', 'a']).options.ratio).toBe(0.25);
    expect(parse(['a', '--ratio=0.5']).options.ratio).toBe(0.5);
    expect(() => parse(['a', '--ratio=2'])).toThrow('--ratio: "2" is not a ratio');
  });

  it('refuses each mistake with a UsageError naming it', () => {
    const cases: [string[], string][] = [
      [['a', '--bogus'], 'unknown option --bogus'],
      [['a', '--jsn'], 'unknown option --jsn (did you mean --json?)'],
      [['a', '-x'], 'unknown option -x'],
      [['a', '--top'], '--top needs a value'],
      [['a', '--top', '--json'], '--top needs a value'],
      [['a', '--top', '-5'], '--top: expected an integer >= 1, got "-5"'],
      [['a', '--top', '2.5'], '--top: expected an integer >= 1, got "2.5"'],
      [['a', '--top', '0x10'], '--top: expected an integer >= 1, got "0x10"'],
      [['a', '--top', '1', '--top', '2'], '--top given more than once'],
      [['a', '--json=yes'], '--json takes no value (got "yes")'],
      [['a', '--mode', 'medium'], '--mode: expected one of fast, slow, got "medium"'],
      [['a', '--op', 'read,wrte'], '--op: unknown value "wrte" (known: read, write)'],
      [['a', '--timeout', 'soon'], '--timeout: expected a duration such as 1.5s, 100ms or 20us, got "soon"'],
      [['a', '--out='], '--out: empty value'],
      [[], 'missing <first> (usage: interposer demo-cmd <first> [<rest>...] [options])'],
    ];
    for (const [argv, message] of cases) {
      expect(() => parse(argv), argv.join(' ')).toThrow(UsageError);
      expect(() => parse(argv), argv.join(' ')).toThrow(message);
    }
  });

  it('answers --help before any other mistake on the line', () => {
    expect(parseCommandLine(SPEC, ['--bogus', '-h']).help).toBe(true);
    expect(parseCommandLine(SPEC, ['--', '--help']).help).toBe(false);
  });
});

describe('oneLine', () => {
  it('puts a multi-line message on one line and does not repeat the command name', () => {
    expect(oneLine('interposer analyze', 'analyze: bad\n  first\n\nsecond')).toBe(
      'interposer analyze: bad; first; second',
    );
  });
});

describe('help of every command', () => {
  it('has one layout: usage line, description, Arguments/Options headings, -h listed', async () => {
    for (const { name, spec } of await loadCommands()) {
      const help = formatHelp(spec);
      const lines = help.split('\n');
      expect(lines[0], name).toMatch(new RegExp(`^usage: interposer[ -]${name.replace('interposer-', '')}`));
      expect(help, name).toContain('\nOptions:\n');
      expect(help, name).toMatch(/\n {2}-h, --help {16}show this help\n?/);
      // Every heading is a capitalised line ending in a colon, with no other lowercase variants.
      for (const heading of lines.filter((l) => /^\S.*:$/.test(l))) expect(heading, name).toMatch(/^[A-Z]/);
      for (const option of Object.keys(spec.options)) {
        if (!spec.options[option]!.hidden) expect(help, `${name} --${option}`).toContain(`--${option}`);
      }
    }
  });

  it('is printed by --help and -h of every command, with exit 0', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      for (const { name, spec } of await loadCommands()) {
        for (const flag of ['--help', '-h']) {
          const parsed = parseCommandLine(spec, [flag]);
          expect(parsed.help, `${name} ${flag}`).toBe(true);
        }
      }
    } finally {
      log.mockRestore();
    }
  });
});

describe('interposer ctl', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A stand-in control socket answering each request with `answer(request)`. */
  async function fakeMount(answer: (request: Record<string, unknown>) => object) {
    dir = mkdtempSync(join(tmpdir(), 'ctl-test-'));
    const socket = join(dir, 'ctl.sock');
    const server = createServer((conn) => {
      conn.setEncoding('utf8');
      conn.on('data', (line: string) => conn.end(`${JSON.stringify(answer(JSON.parse(line)))}\n`));
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    return { socket, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('prints the bare rule id for add, and a server refusal as one line (exit 1)', async () => {
    const { run } = await import('../../src/cli/commands/ctl.js');
    const requests: Record<string, unknown>[] = [];
    const mount = await fakeMount((request) => {
      requests.push(request);
      return request.cmd === 'add'
        ? { ok: true, id: 'ctl-1' }
        : { ok: false, error: 'no rule with id "x"\nsecond line' };
    });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await run([mount.socket, 'add', 'fault', 'op=write,errno=EIO'])).toBe(0);
      expect(log).toHaveBeenCalledWith('ctl-1');
      const refused = await run([mount.socket, 'remove', 'x']).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UserError);
      expect((refused as UserError).exitCode).toBe(1);
      expect(oneLine('interposer ctl', (refused as UserError).message)).toBe(
        'interposer ctl: remove: no rule with id "x"; second line',
      );
      // A bad rule never reaches the mount: refused as usage by the mount's own validator.
      await expect(run([mount.socket, 'add', 'fault', 'op=nope'])).rejects.toThrow(UsageError);
      await expect(run([mount.socket, 'add', 'fault'])).rejects.toThrow('add needs <flag> <spec>');
      await expect(run([mount.socket, 'stats', '--torn', '5'])).rejects.toThrow(
        '--torn applies to drop-unsynced only',
      );
      await expect(run([mount.socket, 'frobnicate'])).rejects.toThrow('unknown command "frobnicate"');
      expect(requests.map((r) => r.cmd)).toEqual(['add', 'remove']);
    } finally {
      log.mockRestore();
      await mount.close();
    }
  });
});
