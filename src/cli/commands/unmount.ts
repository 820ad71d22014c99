/** `interposer unmount`: detach a mount, also one whose server hangs or died. */
import { resolve } from 'node:path';
import { unmountFuse } from '../../record/unmount.js';
import { cliCommand, defineCommand } from '../args/index.js';

const spec = defineCommand({
  name: 'unmount',
  summary: 'unmount an interposer mount (also a stuck or dead one)',
  description:
    'Detaches the mount (lazily: programs with open files keep them until they close); the\n' +
    'interposer serving it then flushes its trace and exits.',
  positionals: [{ name: 'mountpoint', help: 'where the file system is mounted' }],
  options: {
    abort: {
      kind: 'flag',
      help:
        'also abort the FUSE connection: for a hung or dead server ("transport endpoint is\n' +
        'not connected"); pending operations fail with ENOTCONN',
    },
  },
});

export const summary = spec.summary;

export const command = cliCommand(spec, async ({ options, positionals }) => {
  const mountpoint = resolve(positionals[0]!);
  const { aborted } = unmountFuse(mountpoint, { abort: options.abort });
  console.log(`unmounted ${mountpoint}${aborted ? ' (connection aborted)' : ''}`);
  return 0;
});

export const run = command.run;
