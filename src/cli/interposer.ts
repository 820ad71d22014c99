#!/usr/bin/env node
/**
 * `interposer <command> ...`: one module per command under ./commands, loaded on demand so
 * `interposer analyze` does not pay for loading the FUSE binding or gRPC. Every command parses
 * its arguments through ./args; this file only routes and maps errors to one line + exit code.
 */
import { readFileSync } from 'node:fs';
import { closestMatch } from '../overlay/suggest.js';
import { formatHelp, type CliCommand } from './args/index.js';
import { reportFailure } from './report-failure.js';
import { UsageError } from './errors.js';

type CommandModule = { command: CliCommand; summary: string };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  mount: () => import('./commands/mount.js'),
  unmount: () => import('./commands/unmount.js'),
  demo: () => import('./commands/demo.js'),
  recover: () => import('./commands/recover.js'),
  analyze: () => import('./commands/analyze.js'),
  replay: () => import('./commands/replay.js'),
  faults: () => import('./commands/faults.js'),
  export: () => import('./commands/export.js'),
  ctl: () => import('./commands/ctl.js'),
  csi: () => import('./commands/csi.js'),
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function usage(): Promise<string> {
  const lines = [
    'usage: interposer <command> [options]',
    '',
    'Records every file-system operation under a directory to Parquet, shapes I/O, replays and',
    'analyzes traces.',
    '',
    'Commands:',
  ];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const { summary } = await load();
    lines.push(`  ${name.padEnd(10)} ${summary}`);
  }
  lines.push(
    '',
    'Options:',
    '  -h, --help     show this help (interposer help <command> or <command> --help: one command)',
    '  --version      print the version',
  );
  return lines.join('\n');
}

function lookup(name: string): () => Promise<CommandModule> {
  const load = COMMANDS[name];
  if (load) return load;
  const guess = closestMatch(name, Object.keys(COMMANDS), 3);
  throw new UsageError(
    `unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; interposer --help lists them`,
  );
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${await usage()}\n`);
    return 0;
  }
  if (name === '--version' || name === '-V') {
    if (rest.length) throw new UsageError(`--version takes no arguments, got "${rest[0]}"`);
    process.stdout.write(`interposer ${version()}\n`);
    return 0;
  }
  if (name === 'help') {
    if (rest.length > 1) throw new UsageError(`help takes one command name, got "${rest[1]}"`);
    if (rest.length === 0) {
      process.stdout.write(`${await usage()}\n`);
      return 0;
    }
    const { command } = await lookup(rest[0]!)();
    process.stdout.write(`${formatHelp(command.spec)}\n`);
    return 0;
  }
  if (name.startsWith('-'))
    throw new UsageError(`unknown option ${name} (a command comes first; interposer --help lists them)`);
  const { command } = await lookup(name)();
  currentCommand = name;
  return command.run(rest);
}

let currentCommand: string | undefined;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportFailure(err, currentCommand ? `interposer ${currentCommand}` : 'interposer');
  },
);
