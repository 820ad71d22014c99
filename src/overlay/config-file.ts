/**
 * Loads the overlay config file. YAML and JSON both go through the yaml parser (JSON is YAML),
 * which keeps source ranges, so every validation message can name its line.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { UserError } from '../errors.js';
import type { OverlayConfig } from './config.js';
import { validateOverlayConfig, type PathSegment } from './validate.js';

export async function loadOverlayConfig(path: string): Promise<OverlayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      `cannot read overlay config ${path}: ${code === 'ENOENT' ? 'no such file' : String(err)}`,
    );
  }
  return parseOverlayConfig(text, basename(path));
}

/** `fileName` only labels messages ("overlay.yaml:7: ..."). */
export function parseOverlayConfig(text: string, fileName: string): OverlayConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new UserError(
      doc.errors
        .map((e) => {
          const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
          return `${fileName}:${line}: ${firstLine(e.message)}`;
        })
        .join('\n'),
    );
  }
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line;
  const locate = (path: readonly PathSegment[], atKey: boolean): string => {
    const node = nodeAt(doc.contents as Node | null, path, atKey);
    return node?.range ? `${fileName}:${lineOf(node.range[0])}` : fileName;
  };
  return validateOverlayConfig(doc.toJS({ maxAliasCount: 100 }), locate);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** Deepest node along `path` (the key node when atKey and the last segment is a map key). */
function nodeAt(root: Node | null, path: readonly PathSegment[], atKey: boolean): Node | null {
  let node: Node | null = root;
  for (const [i, seg] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === seg);
      if (!pair) return node;
      const key = pair.key as Node;
      if (last && atKey) return key;
      node = (pair.value as Node | null) ?? key;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) return node;
      node = item;
    } else {
      return node;
    }
  }
  return node;
}
