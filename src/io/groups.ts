/** Group names to gids (Node has no getgrnam): /etc/group, or a plain number. */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';

/** The gid of a group given by name or number; a usage error when no such group exists. */
export function resolveGroup(nameOrGid: string, groupFile = '/etc/group'): number {
  if (/^\d+$/.test(nameOrGid)) return Number(nameOrGid);
  let text = '';
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    // No group database: only numeric gids can be used.
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === nameOrGid && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new UserError(
    `no group named "${nameOrGid}" (give a group name from ${groupFile} or a numeric gid)`,
    2,
  );
}
