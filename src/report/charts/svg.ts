/** Building blocks for the report's hand-written SVG: escaping, elements, numbers. */

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Coordinates with at most one decimal: keeps the markup small. */
export function px(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

type Attributes = Record<string, string | number | undefined>;

function attributes(attrs: Attributes): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    out += ` ${name}="${typeof value === 'number' ? px(value) : escapeXml(value)}"`;
  }
  return out;
}

export function el(name: string, attrs: Attributes, children = ''): string {
  return children === ''
    ? `<${name}${attributes(attrs)}/>`
    : `<${name}${attributes(attrs)}>${children}</${name}>`;
}

/** A native tooltip: the browser shows it on hover, no script needed. */
export function title(text: string): string {
  return `<title>${escapeXml(text)}</title>`;
}

export function text(x: number, y: number, content: string, attrs: Attributes = {}): string {
  return el('text', { x, y, ...attrs }, escapeXml(content));
}

/** The outer element: scales to its container's width, keeps its aspect ratio. */
export function svgRoot(width: number, height: number, label: string, body: string): string {
  return (
    `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(label)}" ` +
    `xmlns="http://www.w3.org/2000/svg">${body}</svg>`
  );
}

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** The plotting area inside the margins. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function frame(width: number, height: number, m: Margins): Frame {
  return { width, height, left: m.left, top: m.top, right: width - m.right, bottom: height - m.bottom };
}

/** "No data" in the middle of an empty chart, so a blank plot never looks like a bug. */
export function emptyChart(width: number, height: number, label: string, message: string): string {
  return svgRoot(
    width,
    height,
    label,
    text(width / 2, height / 2, message, { class: 'empty', 'text-anchor': 'middle' }),
  );
}
