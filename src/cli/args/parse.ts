/**
 * The one command-line parser: `--name value`, `--name=value`, `-x value`, `-xvalue`, clusters of
 * short flags (`-qh`), `--` ending the options. A value may start with "-" when it is not itself
 * an option (`--top -5` reaches the number check and is refused there, naming --top). Every
 * mistake is a UsageError (or an InputError for an unusable input file) naming the problem.
 */
import { closestMatch } from '../../overlay/suggest.js';
import { UsageError } from '../../errors.js';
import type { CommandSpec, OptionSpec, OptionSpecs, OptionValues, ParsedArgs } from './spec.js';
import { checkPath, parseOptionValue } from './values.js';

/** What the user asked for: run with these arguments, or show the help. */
export type ParseOutcome<O extends OptionSpecs> = { help: true } | ({ help: false } & ParsedArgs<O>);

const HELP_NAMES = new Set(['--help', '-h']);

/** Looks like an option rather than a value: "--x", "-x" (but not "-", "-5" or "-.5"). */
function looksLikeOption(arg: string): boolean {
  return arg.startsWith('--') ? arg.length > 2 : /^-[A-Za-z]/.test(arg);
}

function describeUsage(spec: CommandSpec): string {
  return `${spec.program ?? `interposer ${spec.name}`} ${synopsisOf(spec)}`;
}

export function synopsisOf(spec: CommandSpec): string {
  if (spec.synopsis) return spec.synopsis;
  const parts = spec.positionals.map((p) => {
    const name = `<${p.name}>${p.variadic ? '...' : ''}`;
    return p.optional ? `[${name}]` : name;
  });
  return [...parts, '[options]'].join(' ');
}

export function parseCommandLine<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): ParseOutcome<O> {
  // --help wins over every other mistake on the line, as users type it to find out what is wrong.
  const terminator = argv.indexOf('--');
  const optionArgs = terminator < 0 ? argv : argv.slice(0, terminator);
  if (optionArgs.some((a) => HELP_NAMES.has(a))) return { help: true };

  const byShort = new Map<string, string>();
  for (const [name, option] of Object.entries(spec.options)) {
    if (option.short) byShort.set(option.short, name);
  }
  const raw = new Map<string, unknown[]>();
  const positionals: string[] = [];

  const store = (name: string, option: OptionSpec, label: string, value: unknown): void => {
    const seen = raw.get(name);
    if (seen && !option.multiple && option.kind !== 'list')
      throw new UsageError(`${label} given more than once`);
    if (seen) seen.push(value);
    else raw.set(name, [value]);
  };

  const unknown = (arg: string): never => {
    const names = [...Object.keys(spec.options), 'help'];
    const typed = arg.split('=')[0]!.replace(/^-+/, '');
    // Close enough to be a typo of a real option: about one edit per three letters.
    const guess = closestMatch(typed, names, Math.max(1, Math.floor(typed.length / 3)));
    throw new UsageError(`unknown option ${arg}${guess ? ` (did you mean --${guess}?)` : ''}`);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!looksLikeOption(arg)) {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (!(name in spec.options)) unknown(arg);
    } else {
      const short = arg[1]!;
      const found = byShort.get(short);
      if (found === undefined) unknown(`-${short}`);
      name = found!;
      const rest = arg.slice(2);
      if (spec.options[name]!.kind === 'flag') {
        // A cluster of short flags: -qv.
        for (const ch of rest) {
          const other = byShort.get(ch);
          if (other === undefined || spec.options[other]!.kind !== 'flag') unknown(`-${ch} (in ${arg})`);
          store(other!, spec.options[other!]!, `-${ch}`, true);
        }
      } else if (rest !== '') inline = rest.startsWith('=') ? rest.slice(1) : rest;
    }
    const option = spec.options[name]!;
    const label = arg.startsWith('--') ? `--${name}` : `-${option.short}`;
    if (option.kind === 'flag') {
      if (inline !== undefined) throw new UsageError(`${label} takes no value (got "${inline}")`);
      store(name, option, label, true);
      continue;
    }
    if (inline !== undefined) {
      store(name, option, label, parseOptionValue(option, inline, label));
      continue;
    }
    const next = argv[i + 1];
    if (option.kind === 'custom' && option.optionalValue) {
      // Take the next argument only when it is a valid value (`--otel-spans 0.1`).
      let value: unknown = option.optionalValue.bare;
      if (next !== undefined && !looksLikeOption(next)) {
        try {
          value = option.parse(next);
          i++;
        } catch {
          // Not a value: a positional argument follows a bare --otel-spans.
        }
      }
      store(name, option, label, value);
      continue;
    }
    if (next === undefined || looksLikeOption(next) || next === '--') {
      const metavar = option.metavar ?? 'a value';
      throw new UsageError(`${label} needs ${metavar === 'a value' ? metavar : `a value (${metavar})`}`);
    }
    i++;
    store(name, option, label, parseOptionValue(option, next, label));
  }

  checkPositionals(spec, positionals);
  const options: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(spec.options)) {
    const values = raw.get(name);
    if (option.kind === 'flag') options[name] = values !== undefined;
    else if (option.kind === 'list') options[name] = values ? (values as string[][]).flat() : undefined;
    else if (option.multiple) options[name] = values ?? [];
    else options[name] = values ? values[0] : 'default' in option ? option.default : undefined;
  }
  return {
    help: false,
    options: options as OptionValues<O>,
    positionals,
    given: new Set(raw.keys()),
  };
}

function checkPositionals(spec: CommandSpec, positionals: readonly string[]): void {
  const specs = spec.positionals;
  const variadic = specs.at(-1)?.variadic === true;
  const required = specs.filter((p) => !p.optional).length;
  if (positionals.length < required) {
    const missing = specs[positionals.length]!;
    throw new UsageError(`missing <${missing.name}> (usage: ${describeUsage(spec)})`);
  }
  if (!variadic && positionals.length > specs.length) {
    const extra = positionals[specs.length]!;
    const hint = extra.startsWith('-') ? '' : ` (usage: ${describeUsage(spec)})`;
    throw new UsageError(
      specs.length === 0
        ? `takes no arguments, got "${extra}"${hint}`
        : `unexpected argument "${extra}"${hint}`,
    );
  }
  positionals.forEach((value, i) => {
    const p = specs[Math.min(i, specs.length - 1)]!;
    if (p.path) checkPath(value, p.path.pathKind, p.path.role, '', p.path.noun);
  });
}
