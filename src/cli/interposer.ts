#!/usr/bin/env node
/**
 * `interposer <command> ...`: one module per command under ./commands, loaded on demand so
 * `interposer analyze` does not pay for loading the FUSE binding or gRPC.
 */
import { UserError } from './errors.js';

type CommandModule = { run(argv: string[]): Promise<number>; summary: string };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  mount: () => import('./commands/mount.js'),
  unmount: () => import('./commands/unmount.js'),
  demo: () => import('./commands/demo.js'),
  recover: () => import('./commands/recover.js'),
  analyze: () => import('./commands/analyze.js'),
  replay: () => import('./commands/replay.js'),
  faults: () => import('./commands/faults.js'),
  export: () => import('./commands/export.js'),
  report: () => import('./commands/report.js'),
  ctl: () => import('./commands/ctl.js'),
  csi: () => import('./commands/csi.js'),
};

async function usage(): Promise<string> {
  const lines = ['usage: interposer <command> [options]   (interposer <command> --help for details)', ''];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const summary = await load()
      .then((m) => m.summary)
      .catch(() => undefined);
    if (summary) lines.push(`  ${name.padEnd(10)} ${summary}`);
  }
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`interposer: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  const command = await load();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UserError) {
      console.error(`interposer: ${err.message}`);
      process.exitCode = err.exitCode;
    } else {
      console.error('interposer: internal error (please report):', err);
      process.exitCode = 70;
    }
  },
);
