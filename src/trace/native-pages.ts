/**
 * Data page bodies from the native encoder (native/src/parquet_pages.c) when it is built: the
 * same bytes as the JavaScript encoders in row-group-encoder.ts, at a fraction of the CPU (the
 * recording server's JavaScript thread spent most of its time in those loops). Null from
 * `nativePages()` means "encode in JavaScript": the addon is missing (a checkout without
 * `npm run build:native`) or the caller asked for JavaScript (tests comparing the two).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PagesBinding {
  numericPage(
    values: BigInt64Array | Int32Array,
    valid: Uint8Array | null,
    count: number,
    nullable: boolean,
    out: Uint8Array,
    stats: BigInt64Array,
  ): number;
  indexPage(
    indices: Int32Array,
    count: number,
    nullable: boolean,
    width: number,
    out: Uint8Array,
    stats: BigInt64Array,
  ): number;
}

/** A numeric column's page body and the statistics of its present values. */
export interface NumericPage {
  body: Uint8Array;
  present: number;
  /** Unset when no value is present. */
  min?: bigint;
  max?: bigint;
}

export interface NativePages {
  numericPage(
    values: BigInt64Array | Int32Array,
    valid: Uint8Array | undefined,
    count: number,
    nullable: boolean,
  ): NumericPage;
  /** A string column's page body and how many of its rows are not null. */
  indexPage(
    indices: Int32Array,
    count: number,
    nullable: boolean,
    width: number,
  ): { body: Uint8Array; present: number };
}

export function pagesAddonPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', 'native', 'build', 'Release', 'interposer_parquet.node');
}

let loaded: NativePages | null | undefined;

/** The native page encoder, or null to encode in JavaScript. */
export function nativePages(): NativePages | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** For tests: force JavaScript (false) or the addon again (true). */
export function useNativePages(on: boolean): void {
  loaded = on ? load() : null;
}

function load(): NativePages | null {
  let binding: PagesBinding;
  try {
    binding = createRequire(import.meta.url)(pagesAddonPath()) as PagesBinding;
  } catch {
    return null;
  }
  // One scratch buffer reused by every page: each body is copied out at once (bodies are small
  // next to the worst case the scratch must allow for).
  let scratch = new Uint8Array(1 << 16);
  const stats = new BigInt64Array(3);
  const run = (bound: number, encode: (out: Uint8Array) => number): Uint8Array => {
    if (scratch.length < bound) scratch = new Uint8Array(bound);
    let n = encode(scratch);
    if (n < 0) {
      scratch = new Uint8Array(-n);
      n = encode(scratch);
    }
    return scratch.slice(0, n);
  };
  return {
    numericPage(values, valid, count, nullable) {
      // Worst case: 8 bytes per value packed, block headers, and the definition levels.
      const body = run(count * 10 + 1024, (out) =>
        binding.numericPage(values, valid ?? null, count, nullable, out, stats),
      );
      const present = Number(stats[0]);
      return present > 0 ? { body, present, min: stats[1]!, max: stats[2]! } : { body, present };
    },
    indexPage(indices, count, nullable, width) {
      const body = run(count * 5 + 1024, (out) =>
        binding.indexPage(indices, count, nullable, width, out, stats),
      );
      return { body, present: Number(stats[0]) };
    },
  };
}
