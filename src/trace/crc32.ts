/**
 * CRC-32 (IEEE 802.3, the polynomial Parquet's page-header `crc` field uses). Node's zlib.crc32
 * (Node >= 20.15, native and vectorised) when it exists; otherwise slicing-by-8 over eight
 * 256-entry tables, which keeps the writer near memory speed on older Node releases.
 */
import * as zlib from 'node:zlib';

const tables = ((): Uint32Array[] => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0]![n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[0]![n]!;
    for (let s = 1; s < 8; s++) {
      c = t[0]![c & 0xff]! ^ (c >>> 8);
      t[s]![n] = c >>> 0;
    }
  }
  return t;
})();

/** Table-driven CRC-32, exported for tests and for Node releases without zlib.crc32. */
export function crc32Portable(data: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let crc = 0xffffffff;
  let i = 0;
  const n = data.length;
  for (; i + 8 <= n; i += 8) {
    const lo = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) ^ crc;
    const hi = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    crc =
      t7[lo & 0xff]! ^
      t6[(lo >>> 8) & 0xff]! ^
      t5[(lo >>> 16) & 0xff]! ^
      t4[lo >>> 24]! ^
      t3[hi & 0xff]! ^
      t2[(hi >>> 8) & 0xff]! ^
      t1[(hi >>> 16) & 0xff]! ^
      t0[hi >>> 24]!;
  }
  for (; i < n; i++) crc = t0[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `data` as an unsigned 32-bit number. */
export const crc32: (data: Uint8Array) => number = native ? (data) => native(data) >>> 0 : crc32Portable;
