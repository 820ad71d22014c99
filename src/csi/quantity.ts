/** Kubernetes resource quantities ("10Gi", "500M", "1e3", "1073741824") to and from bytes. */

const SUFFIXES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Bytes of a quantity, rounded up; undefined when the text is not a quantity. */
export function parseQuantity(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const match = /^(\d+(?:\.\d+)?)(?:e(\d+))?([kMGTPE]i?)?$/.exec(text.trim());
  if (!match) return undefined;
  const scale = SUFFIXES[match[3] ?? ''];
  if (scale === undefined) return undefined;
  return Math.ceil(Number(match[1]) * 10 ** Number(match[2] ?? 0) * scale);
}

/** A byte count as a quantity the API server keeps exactly (plain integers always are). */
export const formatBytes = (bytes: number): string => String(bytes);
