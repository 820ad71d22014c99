/** Flag value parsers shared by commands; bad values are UsageErrors naming the command and flag. */
import { parseDuration } from '../analyze/units.js';
import { UsageError } from './errors.js';

/** `--from 1.5s` and the like: ns, or undefined when the flag is absent. */
export function durationFlag(command: string, name: string, value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const ns = parseDuration(value);
  if (ns === null)
    throw new UsageError(`${command}: --${name} "${value}" is not a duration (e.g. 1.5s, 100ms, 20us)`);
  return ns;
}
