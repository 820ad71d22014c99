/**
 * What `analyze` and `interposer-tui` accept as one run: trace files, directories (every
 * .parquet file below them) and picomatch globs (quote them). Paths in the hive layout
 * the CSI driver writes (`node=N/namespace=S/pod=P/volume=V/trace.parquet`) name their source.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import picomatch from 'picomatch';
import { InputError } from '../errors.js';
import { TraceFormatError } from '../trace/reader.js';

/** `key=value` directory names of a path, in order (hive-style partitioning). */
export function hiveKeys(path: string): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const part of path.split('/')) {
    const eq = part.indexOf('=');
    if (eq > 0 && !part.endsWith('.parquet'))
      keys[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1));
  }
  return keys;
}

async function walk(dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new TraceFormatError(`${dir}: cannot list (${(err as Error).message})`);
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && e.name.endsWith('.parquet')) out.push(p);
  }
}

/** Expands files, directories and globs into trace files, sorted, without duplicates. */
export async function resolveTraceInputs(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const scan = picomatch.scan(input);
    if (scan.isGlob) {
      const base = scan.base || '.';
      const all: string[] = [];
      // A glob whose fixed part does not exist matches nothing (not an I/O error).
      const baseExists = await stat(base).then(
        (st) => st.isDirectory(),
        () => false,
      );
      if (baseExists) await walk(base, all);
      const match = picomatch(scan.glob, { dot: true });
      const found = all.filter((f) => match(relative(base, f)));
      if (found.length === 0) throw new TraceFormatError(`${input}: no trace file matches`);
      files.push(...found);
      continue;
    }
    let st;
    try {
      st = await stat(input);
    } catch {
      throw new InputError(`${input}: no such trace file`);
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      await walk(input, found);
      if (found.length === 0) throw new TraceFormatError(`${input}: no *.parquet trace under this directory`);
      files.push(...found);
    } else {
      files.push(input);
    }
  }
  return [...new Set(files)];
}

/** A source filter: `key=glob` terms (node, namespace, pod, volume, hostname, file), ANDed. */
export type SourceFilter = Record<string, string>;

/** Parses "pod=web-*,node=n1" (or several flags) into a SourceFilter; throws on bad terms. */
export function parseSourceFilter(terms: readonly string[]): SourceFilter {
  const filter: SourceFilter = {};
  for (const term of terms.flatMap((t) => t.split(',')).filter(Boolean)) {
    const eq = term.indexOf('=');
    if (eq <= 0) throw new Error(`source filter "${term}" is not key=value (e.g. pod=web-*, node=n1)`);
    filter[term.slice(0, eq)] = term.slice(eq + 1);
  }
  return filter;
}

/** Whether a source with these keys passes the filter (values are picomatch globs). */
export function sourceMatches(keys: Record<string, string>, filter: SourceFilter): boolean {
  return Object.entries(filter).every(([k, glob]) => {
    const v = keys[k];
    return v !== undefined && picomatch.isMatch(v, glob, { dot: true });
  });
}
