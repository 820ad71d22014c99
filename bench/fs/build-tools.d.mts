export const PASSTHROUGH_SOURCE: string;
export const META_STORM_SOURCE: string;
export function buildTools(outDir: string): Promise<{ cPassthrough: string; metaStorm: string }>;
