/** `interposer ctl`: change a live mount through its control socket. */
import { UsageError, UserError } from '../errors.js';
import { sendControl } from '../../record/control-client.js';
import { ruleFromFlag, type ControlRequest } from '../../record/control.js';
import { cliCommand, defineCommand } from '../args/index.js';

const SUBCOMMANDS = ['rules', 'add', 'remove', 'reload', 'checkpoint', 'drop-unsynced', 'stats'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

const spec = defineCommand({
  name: 'ctl',
  summary: 'change a live mount: add/remove overlay rules, reload, checkpoint',
  synopsis: '<control-socket> <command> [args] [options]',
  description:
    'Talks to a running `interposer mount --control <socket>`. Each command returns once it has taken\n' +
    'effect: the operation after an "add" is already shaped by the new rule.\n' +
    '\n' +
    'Commands:\n' +
    '  rules                       list rules with their match counts\n' +
    '  add <flag> <spec>           add a rule, same syntax as the mount flags; prints its id, e.g.\n' +
    "                                add fault 'op=write,path=**/*.db,errno=EIO'\n" +
    '                                add throttle-read 10MiB/s\n' +
    "                                add delay 'op=fsync,fixed=50ms'\n" +
    '  remove <rule-id>            remove a rule\n' +
    '  reload                      re-read the --overlay file and flags (also: kill -HUP <mount pid>)\n' +
    '  checkpoint                  flush the trace: every op so far is readable on disk\n' +
    '  drop-unsynced               (mount started with --power-loss) roll every file back to its last\n' +
    '                              fsync, as a crash would (see --torn, --keep, --seed)\n' +
    '  stats                       operations recorded, writer back-pressure waits, how callers are named',
  positionals: [
    {
      name: 'control-socket',
      help: 'the socket given to mount --control',
      path: { pathKind: 'socket', role: 'input' },
    },
    { name: 'command', help: SUBCOMMANDS.join(', ') },
    {
      name: 'args',
      help: "the command's arguments (add: <flag> <spec>; remove: <rule-id>)",
      optional: true,
      variadic: true,
    },
  ],
  options: {
    json: { kind: 'flag', help: 'print the raw JSON answer' },
    torn: {
      kind: 'number',
      integer: true,
      min: 0,
      help: 'drop-unsynced: keep N bytes of the last unsynced write (a torn write)',
    },
    keep: {
      kind: 'number',
      min: 0,
      max: 1,
      metavar: 'F',
      help: 'drop-unsynced: keep each unsynced write with probability F',
    },
    seed: { kind: 'number', integer: true, min: 0, help: 'drop-unsynced: seed for --keep' },
  },
});

export const summary = spec.summary;

const ARITY: Record<Subcommand, string[]> = {
  rules: [],
  add: ['<flag>', '<spec>'],
  remove: ['<rule-id>'],
  reload: [],
  checkpoint: [],
  'drop-unsynced': [],
  stats: [],
};

export const command = cliCommand(spec, async ({ options, positionals, given }) => {
  const [socket, name, ...args] = positionals as [string, string, ...string[]];
  if (!(SUBCOMMANDS as readonly string[]).includes(name))
    throw new UsageError(`unknown command "${name}" (one of: ${SUBCOMMANDS.join(', ')})`);
  const sub = name as Subcommand;
  const arity = ARITY[sub];
  if (args.length !== arity.length) {
    throw new UsageError(
      arity.length
        ? `${sub} needs ${arity.join(' ')}, got ${args.length} argument(s)`
        : `${sub} takes no arguments, got "${args[0]}"`,
    );
  }
  for (const flag of ['torn', 'keep', 'seed'] as const) {
    if (given.has(flag) && sub !== 'drop-unsynced')
      throw new UsageError(`--${flag} applies to drop-unsynced only`);
  }
  let request: ControlRequest;
  if (sub === 'add') {
    const [flag, ruleSpec] = args as [string, string];
    // Checked here with the mount's own validator, so a typo is a usage error, not a round trip.
    try {
      ruleFromFlag(flag, ruleSpec, new Set());
    } catch (err) {
      throw new UsageError(`add: ${(err as Error).message}`);
    }
    request = { cmd: 'add', flag, spec: ruleSpec };
  } else if (sub === 'remove') request = { cmd: 'remove', id: args[0]! };
  else if (sub === 'drop-unsynced') {
    request = {
      cmd: 'drop-unsynced',
      ...(options.torn !== undefined && { tornBytes: options.torn }),
      ...(options.keep !== undefined && { keepFraction: options.keep }),
      ...(options.seed !== undefined && { seed: options.seed }),
    };
  } else request = { cmd: sub };

  const response = await sendControl(socket, request);
  if (!response.ok) throw new UserError(`${sub}: ${response.error}`);
  console.log(options.json ? JSON.stringify(response) : summarize(sub, response));
  return 0;
});

export const run = command.run;

/** The answer for people: a bare rule id for add (scripts capture it), a table for rules. */
function summarize(sub: Subcommand, response: { [key: string]: unknown }): string {
  const { ok: _ok, ...rest } = response;
  if (sub === 'add') return String(rest.id);
  if (Array.isArray(rest.rules)) {
    return (
      (rest.rules as { kind: string; config: { id: string }; matches: number }[])
        .map((r) => `${r.config.id.padEnd(16)} ${r.kind.padEnd(9)} matches=${r.matches}`)
        .join('\n') || '(no rules)'
    );
  }
  const pairs = Object.entries(rest).map(
    ([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
  );
  return pairs.length ? pairs.join(' ') : 'ok';
}
