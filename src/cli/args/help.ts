/**
 * `--help` text generated from a command's spec, so every command has the same layout:
 *
 *   usage: interposer NAME SYNOPSIS
 *
 *   DESCRIPTION
 *
 *   Arguments:
 *     <name>                 help
 *
 *   Options:                 (then one heading per option group, e.g. "Overlay (I/O shaping):")
 *     -o, --output FILE      help (default: X)
 *     -h, --help             show this help
 *
 *   FOOTER
 */
import { synopsisOf } from './parse.js';
import type { CommandSpec, OptionSpec } from './spec.js';

const LEFT_WIDTH = 26;
const DEFAULT_GROUP = 'Options';

const DEFAULT_METAVAR: Record<OptionSpec['kind'], string> = {
  flag: '',
  string: 'TEXT',
  number: 'N',
  duration: 'DUR',
  enum: 'X',
  list: 'A,B',
  path: 'PATH',
  custom: 'X',
};

function metavarOf(option: OptionSpec): string {
  if (option.metavar) return option.metavar;
  if (option.kind === 'enum') return option.choices.join('|');
  if (option.kind === 'path') return option.pathKind === 'dir' ? 'DIR' : option.pathKind.toUpperCase();
  return DEFAULT_METAVAR[option.kind];
}

function defaultText(option: OptionSpec): string | undefined {
  if (!('default' in option) || option.default === undefined) return undefined;
  if (option.kind === 'duration') return formatNs(option.default);
  return String(option.default);
}

function formatNs(ns: bigint): string {
  if (ns % 1_000_000_000n === 0n) return `${ns / 1_000_000_000n}s`;
  if (ns % 1_000_000n === 0n) return `${ns / 1_000_000n}ms`;
  if (ns % 1_000n === 0n) return `${ns / 1_000n}us`;
  return `${ns}ns`;
}

function optionLeft(name: string, option: OptionSpec): string {
  const long = `--${name}`;
  const metavar = metavarOf(option);
  const value =
    metavar === '' ? '' : option.kind === 'custom' && option.optionalValue ? `[=${metavar}]` : ` ${metavar}`;
  return `${option.short ? `-${option.short}, ` : ''}${long}${value}`;
}

/** Two-column rows; the help text continues on indented lines below long left columns. */
function row(left: string, help: string): string[] {
  const [first = '', ...rest] = help.split('\n');
  const indent = ' '.repeat(LEFT_WIDTH + 2);
  const head =
    left.length < LEFT_WIDTH - 1
      ? [`  ${left.padEnd(LEFT_WIDTH)}${first}`]
      : [`  ${left}`, `${indent}${first}`];
  return [...head, ...rest.map((line) => `${indent}${line}`)];
}

export function formatHelp(spec: CommandSpec): string {
  const program = spec.program ?? `interposer ${spec.name}`;
  const lines = [`usage: ${program} ${synopsisOf(spec)}`, '', spec.description.trimEnd()];
  if (spec.positionals.length) {
    lines.push('', 'Arguments:');
    for (const p of spec.positionals) lines.push(...row(`<${p.name}>${p.variadic ? '...' : ''}`, p.help));
  }
  const groups = new Map<string, string[]>([[DEFAULT_GROUP, []]]);
  for (const [name, option] of Object.entries(spec.options)) {
    if (option.hidden) continue;
    const group = option.group ?? DEFAULT_GROUP;
    const deflt = defaultText(option);
    const help = deflt === undefined ? option.help : `${option.help} (default: ${deflt})`;
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group)!.push(...row(optionLeft(name, option), help));
  }
  groups.get(DEFAULT_GROUP)!.push(...row('-h, --help', 'show this help'));
  for (const [title, rows] of groups) {
    if (rows.length) lines.push('', `${title}:`, ...rows);
  }
  if (spec.footer) lines.push('', spec.footer.trimEnd());
  return lines.join('\n');
}
