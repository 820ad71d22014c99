/** HTML pieces the views share: tables, figures with their numbers, summary cards. */
import { escapeXml } from '../charts/svg.js';

export const esc = escapeXml;

/** A cell: text (escaped), or { html } for markup, with `l` for left alignment. */
export type Cell = string | number | { html: string; left?: boolean; className?: string };

function cellHtml(c: Cell, tag: 'td' | 'th', left: boolean): string {
  if (typeof c === 'object') {
    const cls = [c.left || left ? 'l' : '', c.className ?? ''].filter(Boolean).join(' ');
    return `<${tag}${cls ? ` class="${cls}"` : ''}>${c.html}</${tag}>`;
  }
  return `<${tag}${left ? ' class="l"' : ''}>${esc(String(c))}</${tag}>`;
}

/** The first `leftColumns` columns are left-aligned (names), the others right (numbers). */
export function table(headers: string[], rows: Cell[][], leftColumns = 1): string {
  const head = `<tr>${headers.map((h, i) => cellHtml(h, 'th', i < leftColumns)).join('')}</tr>`;
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => cellHtml(c, 'td', i < leftColumns)).join('')}</tr>`)
    .join('');
  return `<div class="scroll"><table>${head}${body}</table></div>`;
}

export function numbers(content: string, label = 'Numbers'): string {
  return `<details><summary>${esc(label)}</summary>${content}</details>`;
}

export interface FigureParts {
  chart: string;
  caption?: string;
  legend?: string;
  /** The table behind the chart, shown on click. */
  numbers?: string;
  id?: string;
}

export function figure(p: FigureParts): string {
  return (
    `<figure${p.id ? ` id="${esc(p.id)}"` : ''}>` +
    (p.caption ? `<figcaption>${p.caption}</figcaption>` : '') +
    p.chart +
    (p.legend ?? '') +
    (p.numbers ? numbers(p.numbers) : '') +
    `</figure>`
  );
}

export interface CardSpec {
  value: string;
  label: string;
  bad?: boolean;
}

export function cards(items: CardSpec[]): string {
  return `<div class="cards">${items
    .map(
      (c) =>
        `<div class="card${c.bad ? ' bad' : ''}"><b>${esc(c.value)}</b><span>${esc(c.label)}</span></div>`,
    )
    .join('')}</div>`;
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`;
}

/** Stable ids for anchors from arbitrary text. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'x'
  );
}
