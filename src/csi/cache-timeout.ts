/**
 * Which kernel caching a published volume gets: `--cache-timeout` arguments for its mount. A
 * backing directory only the mount changes may be cached (the mount's default); one that others
 * may change underneath (a given host directory, a PVC that may be shared) gets 0 unless the
 * volume's `cacheTimeout` attribute says otherwise.
 */
import { VOLUME_ATTRIBUTES } from './constants.js';
import { invalidArgument } from './errors.js';

export function cacheTimeoutArgs(volumeContext: Record<string, string>, sharedBacking: boolean): string[] {
  const given = volumeContext[VOLUME_ATTRIBUTES.cacheTimeout];
  if (given === undefined) return sharedBacking ? ['--cache-timeout', '0'] : [];
  const seconds = Number(given);
  if (given.trim() === '' || !Number.isFinite(seconds) || seconds < 0)
    throw invalidArgument(
      `${VOLUME_ATTRIBUTES.cacheTimeout} must be a number of seconds >= 0, not "${given}"`,
    );
  return ['--cache-timeout', String(seconds)];
}
