/**
 * Writing a report file. Written in full under a temporary name, then renamed over `path`, so a
 * failed run never leaves half a page nor clobbers an earlier report. Like traces and exports
 * (src/io/output-file.ts) the page names users' paths and processes: it is created for its owner
 * only (0600; chmod to share it) with O_EXCL, so a symlink planted at the path is replaced, never
 * followed.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';

export async function writeReportFile(path: string, html: string): Promise<number> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(html);
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    throw new UserError(`${path}: cannot write the report (${e.code ?? e.message})`);
  }
  return Buffer.byteLength(html);
}
