import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { sendControl } from '../../record/control-client.js';
import type { ControlRequest } from '../../record/control.js';

export const summary = 'change a live mount: add/remove overlay rules, reload, checkpoint';

const HELP = `usage: interposer ctl <control-socket> <command> [args]

Talks to a running \`interposer mount --control <socket>\`. Each command returns once it has taken
effect: the operation after an "add" is already shaped by the new rule.

  rules                       list rules with their match/fire counts
  add <flag> <spec>           add a rule, same syntax as the mount flags, e.g.
                                add fault 'op=write,path=**/*.db,errno=EIO'
                                add throttle-read 10MiB/s
                                add delay 'op=fsync,fixed=50ms'
  remove <rule-id>            remove a rule
  reload                      re-read the --overlay file and flags (also: kill -HUP <mount pid>)
  checkpoint                  flush the trace: every op so far is readable on disk
  drop-unsynced [--torn N] [--keep F] [--seed S]
                              (mount started with --power-loss) roll every file back to its last
                              fsync, as a crash would; --torn keeps N bytes of the last write,
                              --keep keeps each unsynced write with probability F
  stats                       operations recorded, writer back-pressure waits
  --json                      print the raw JSON answer`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
      torn: { type: 'string' },
      keep: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [socket, command, ...args] = positionals;
  if (!socket || !command) throw new UsageError(HELP);
  let request: ControlRequest;
  switch (command) {
    case 'add':
      if (args.length !== 2) throw new UsageError('ctl add needs <flag> <spec>');
      request = { cmd: 'add', flag: args[0]!, spec: args[1]! };
      break;
    case 'remove':
      if (args.length !== 1) throw new UsageError('ctl remove needs <rule-id>');
      request = { cmd: 'remove', id: args[0]! };
      break;
    case 'drop-unsynced':
      request = {
        cmd: 'drop-unsynced',
        ...(values.torn !== undefined && { tornBytes: nonNegative('--torn', values.torn) }),
        ...(values.keep !== undefined && { keepFraction: fraction(values.keep) }),
        ...(values.seed !== undefined && { seed: nonNegative('--seed', values.seed) }),
      };
      break;
    case 'rules':
    case 'reload':
    case 'checkpoint':
    case 'stats':
      request = { cmd: command };
      break;
    default:
      throw new UsageError(`unknown ctl command "${command}"\n\n${HELP}`);
  }
  const response = await sendControl(socket, request);
  if (values.json || !response.ok) console.log(JSON.stringify(response, null, 2));
  else console.log(summarize(response));
  return response.ok ? 0 : 1;
}

function summarize(response: { [key: string]: unknown }): string {
  const { ok: _ok, ...rest } = response;
  if (Array.isArray(rest.rules)) {
    return (
      (rest.rules as { kind: string; config: { id: string }; matches: number }[])
        .map((r) => `${r.config.id.padEnd(16)} ${r.kind.padEnd(9)} matches=${r.matches}`)
        .join('\n') || '(no rules)'
    );
  }
  return Object.keys(rest).length ? JSON.stringify(rest) : 'ok';
}

function nonNegative(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${flag} must be a non-negative integer, got "${value}"`);
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1))
    throw new UsageError(`--keep must be a probability between 0 and 1, got "${value}"`);
  return n;
}
