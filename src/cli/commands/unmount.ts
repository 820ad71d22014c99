import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { unmountFuse } from '../../record/unmount.js';

export const summary = 'unmount an interposer mount (also a stuck or dead one)';

const HELP = `usage: interposer unmount <mountpoint> [--abort]

Detaches the mount (lazily: programs with open files keep them until they close); the
interposer serving it then flushes its trace and exits.
  --abort   also abort the FUSE connection: for a hung or dead server ("transport endpoint is
            not connected"); pending operations fail with ENOTCONN.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, abort: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`unmount needs exactly one <mountpoint>\n\n${HELP}`);
  const mountpoint = resolve(positionals[0]!);
  const { aborted } = unmountFuse(mountpoint, { abort: values.abort });
  console.log(`unmounted ${mountpoint}${aborted ? ' (connection aborted)' : ''}`);
  return 0;
}
