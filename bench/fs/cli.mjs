// Command-line parsing shared by the bench scripts: --help prints the usage, an unknown or
// malformed option prints one line plus the usage and exits 2 (never a stack trace).
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * @param {string} usage    full help text
 * @param {import('node:util').ParseArgsConfig['options']} [options]
 * @returns {Record<string, string | boolean | undefined>}
 */
export function benchArgs(usage, options = {}) {
  let values;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    process.stderr.write(`${basename(process.argv[1] ?? 'bench')}: ${err.message}\n\n${usage}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values;
}
