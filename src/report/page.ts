/**
 * The HTML page around the sections: inlined styles (light and dark from the viewer's system
 * setting), a content security policy that forbids every network fetch, and the aggregates as
 * JSON for anyone who wants the numbers programmatically. No script runs: the charts are SVG
 * written at generation time, so the page renders instantly and cannot fail in the browser.
 */
import { escapeXml } from './charts/svg.js';

const SLOTS_LIGHT = ['#2563eb', '#ea580c', '#16a34a', '#dc2626', '#7c3aed', '#0891b2', '#a16207', '#db2777'];
const SLOTS_DARK = ['#60a5fa', '#fb923c', '#4ade80', '#f87171', '#a78bfa', '#22d3ee', '#facc15', '#f472b6'];

function slotRules(colors: string[]): string {
  return colors.map((c, i) => `--c${i}:${c};`).join('');
}

const STYLE = `
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--panel:#f6f8fa;--border:#d1d9e0;
--axis:#8c959f;--grid:#eaeef2;--hover:rgba(37,99,235,.08);--bad:#cf222e;--good:#1a7f37;--heat:#6d28d9;
--heat-bg:#fbfbfd;${slotRules(SLOTS_LIGHT)}}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--panel:#151b23;
--border:#3d444d;--axis:#656c76;--grid:#21262d;--hover:rgba(96,165,250,.12);--bad:#f85149;--good:#3fb950;
--heat:#c4b5fd;--heat-bg:#10151c;${slotRules(SLOTS_DARK)}}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1000px;margin:0 auto;padding:24px 20px 64px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:36px 0 8px;padding-top:8px;border-top:1px solid var(--border)}
h3{font-size:15px;margin:20px 0 6px}
.sub{color:var(--muted);margin:0 0 12px}
nav{display:flex;flex-wrap:wrap;gap:4px 14px;margin:8px 0 4px;font-size:13px}
a{color:var(--c0)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:12px 0}
.card{background:var(--panel);border:1px solid var(--border);border-radius:8px;padding:10px 12px}
.card b{display:block;font-size:20px;font-variant-numeric:tabular-nums}
.card span{color:var(--muted);font-size:12px}
.card.bad b{color:var(--bad)}
ul.findings{padding-left:20px}ul.findings li{margin:4px 0}
.share{display:inline-block;min-width:3.2em;font-variant-numeric:tabular-nums;color:var(--muted)}
figure{margin:12px 0 20px}
figcaption{font-size:13px;color:var(--muted);margin:2px 0}
.small-multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:8px 20px}
svg.chart{display:block;width:100%;height:auto;overflow:visible}
.chart text{fill:var(--muted);font:11px system-ui,sans-serif}
.chart text.label{fill:var(--fg);font-weight:600}
.chart text.value{fill:var(--fg)}.chart text.small{font-size:10px}
.chart text.empty{font-size:14px}
.axis,.tick{stroke:var(--axis);stroke-width:1}.grid{stroke:var(--grid);stroke-width:1}
.bar{fill:var(--c0);fill-opacity:.85}.bar:hover{fill-opacity:1}
.mark{stroke-width:1.5;stroke-dasharray:4 3}.mark-label{font-weight:600}
.m0{stroke:var(--c2)}.m1{stroke:var(--c6)}.m2{stroke:var(--c1)}.m3{stroke:var(--c3)}
text.m0{fill:var(--c2)}text.m1{fill:var(--c6)}text.m2{fill:var(--c1)}text.m3{fill:var(--c3)}
.swatch.m0{background:var(--c2)}.swatch.m1{background:var(--c6)}.swatch.m2{background:var(--c1)}.swatch.m3{background:var(--c3)}
.line{fill:none;stroke-width:1.8;stroke-linejoin:round}.line.dashed{stroke-dasharray:6 4}
${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `.line.s${i}{stroke:var(--c${i})}.fill.s${i},.swatch.s${i}{fill:var(--c${i});background:var(--c${i})}`).join('')}
.fill.hatched{fill-opacity:.45;stroke:var(--c1);stroke-width:1}
.hover{fill:transparent}.hover:hover{fill:var(--hover)}
.event line{stroke-width:1.2;stroke-dasharray:2 2}.event path{stroke:none}
.event.overlay line{stroke:var(--c4)}.event.overlay path{fill:var(--c4)}
.event.fault line{stroke:var(--bad)}.event.fault path{fill:var(--bad)}
.grid-bg{fill:var(--heat-bg);stroke:var(--grid)}.cell{fill:var(--heat)}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;color:var(--muted);align-items:center}
.key{display:inline-flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:14px;height:4px;border-radius:2px}
.swatch.dashed{background:repeating-linear-gradient(90deg,var(--c1) 0 5px,transparent 5px 8px)!important}
.swatch.marker{width:2px;height:12px}.swatch.marker.fault{width:0;height:0;background:none!important;border:5px solid transparent;border-top:7px solid var(--bad);border-bottom:0}.swatch.overlay{background:var(--c4)}.swatch.fault{background:var(--bad)}
.ramp{display:inline-block;width:120px;height:10px;border-radius:2px;background:linear-gradient(90deg,color-mix(in srgb,var(--heat) 12%,var(--heat-bg)),var(--heat))}
details{margin:4px 0 8px}summary{cursor:pointer;color:var(--c0);font-size:13px}
table{border-collapse:collapse;font-size:12.5px;margin:6px 0;font-variant-numeric:tabular-nums}
th,td{padding:3px 10px;border-bottom:1px solid var(--border);text-align:right;white-space:nowrap}
th{color:var(--muted);font-weight:600}
td.l,th.l{text-align:left;white-space:normal;overflow-wrap:anywhere}
td.l:first-child{min-width:8em}
.scroll{overflow-x:auto}
.pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;border:1px solid var(--border)}
.pill.sequential{color:var(--good)}.pill.random{color:var(--c1)}.pill.mixed{color:var(--c4)}
.failed{color:var(--bad);font-weight:600}.passed{color:var(--good)}
.routine{color:var(--muted)}
footer{margin-top:40px;color:var(--muted);font-size:12px}
`;

export interface PageOptions {
  title: string;
  subtitle: string;
  /** [anchor id, label] for the table of contents. */
  nav: [string, string][];
  body: string;
  /** Aggregates behind the page, embedded as JSON (never raw trace rows). */
  data: unknown;
  generator: string;
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function renderPage(o: PageOptions): string {
  const nav = o.nav.map(([id, label]) => `<a href="#${id}">${escapeXml(label)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="${escapeXml(o.generator)}">
<title>${escapeXml(o.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeXml(o.title)}</h1>
<p class="sub">${o.subtitle}</p>
<nav>${nav}</nav>
${o.body}
<footer>Written by ${escapeXml(o.generator)}. Hover a chart for its values; "Numbers" under each chart lists them. The aggregates are embedded as JSON (script#report-data).</footer>
</main>
<script type="application/json" id="report-data">${scriptJson(o.data)}</script>
</body>
</html>
`;
}
