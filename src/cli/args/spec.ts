/**
 * Declarative command-line specs: every command describes its options and positional arguments
 * once, and the parser (parse.ts), the value checks (values.ts) and the help text (help.ts) are
 * all derived from that description. The parsed result is typed from the spec.
 */

/** What a path argument must be: checked before the command does anything. */
export type PathKind = 'file' | 'dir' | 'socket';

/**
 * input: must exist and be of `pathKind` (else "unusable input", exit 1).
 * output: may exist (then it must be of `pathKind`); its directory must exist (else exit 2).
 * output-dir: a directory that is created when missing; must not be something else.
 */
export type PathRole = 'input' | 'output' | 'output-dir';

interface OptionBase {
  /** One line (or several, separated by \n) for --help. Defaults are appended automatically. */
  help: string;
  /** Single-letter alias, e.g. 'o' for -o. */
  short?: string;
  /** Name of the value in help, e.g. FILE, N, DUR. */
  metavar?: string;
  /** Help heading this option is listed under (default "Options"). */
  group?: string;
  /** Repeatable: every occurrence is kept, in order. */
  multiple?: boolean;
  /** Left out of --help (aliases kept for old scripts). */
  hidden?: boolean;
}

export interface FlagOption extends OptionBase {
  kind: 'flag';
}

export interface StringOption extends OptionBase {
  kind: 'string';
  default?: string;
  /** Refuse the empty string (default true). */
  nonEmpty?: boolean;
}

export interface NumberOption extends OptionBase {
  kind: 'number';
  default?: number;
  integer?: boolean;
  min?: number;
  max?: number;
  /** min is exclusive: "> min" rather than ">= min". */
  minExclusive?: boolean;
}

/** "1.5s", "100ms", "20us", "2m"; a bare number means `bareUnit` (default ns). Parsed to ns. */
export interface DurationOption extends OptionBase {
  kind: 'duration';
  default?: bigint;
  bareUnit?: 'ns' | 's';
  /** Refuse 0 (default false). */
  positive?: boolean;
}

export interface EnumOption<C extends string = string> extends OptionBase {
  kind: 'enum';
  choices: readonly C[];
  default?: C;
}

/** Comma-separated values (repeatable: occurrences are concatenated). */
export interface ListOption<C extends string = string> extends OptionBase {
  kind: 'list';
  /** When given, every item must be one of these. */
  choices?: readonly C[];
}

export interface PathOption extends OptionBase {
  kind: 'path';
  pathKind: PathKind;
  role: PathRole;
  default?: string;
  /** Extra words accepted as-is instead of a path (e.g. "-" for stdout, "none"). */
  specials?: readonly string[];
  /** What the file is, for messages: "no such trace file" (default: file/directory/socket). */
  noun?: string;
}

/** Anything else: `parse` returns the typed value or throws an Error whose message names the problem. */
export interface CustomOption<T = unknown> extends OptionBase {
  kind: 'custom';
  parse: (text: string) => T;
  default?: T;
  /**
   * The value may be left out (`--otel-spans` alone): the option then holds `bare`. A following
   * argument is taken as the value only when `parse` accepts it; `--name=value` always is.
   */
  optionalValue?: { bare: T };
}

export type OptionSpec =
  | FlagOption
  | StringOption
  | NumberOption
  | DurationOption
  | EnumOption
  | ListOption
  | PathOption
  | CustomOption<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type OptionSpecs = Record<string, OptionSpec>;

export interface PositionalSpec {
  /** As shown in usage lines, e.g. "trace.parquet". */
  name: string;
  help: string;
  /** Checked like a path option when given. */
  path?: { pathKind: PathKind; role: PathRole; noun?: string };
  optional?: boolean;
  /** Takes every remaining argument (one or more, or zero or more when optional). */
  variadic?: boolean;
}

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** "analyze", or "interposer-tui" for a program of its own. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** What follows the command name in the usage line; generated from the positionals if absent. */
  synopsis?: string;
  /** Paragraphs shown under the usage line. */
  description: string;
  positionals: readonly PositionalSpec[];
  options: O;
  /** Text after the option groups (exit codes, examples). */
  footer?: string;
  /** The program name in messages and usage lines (default "interposer <name>"). */
  program?: string;
}

type ValueOf<S> = S extends FlagOption
  ? boolean
  : S extends NumberOption
    ? number
    : S extends DurationOption
      ? bigint
      : S extends EnumOption<infer C>
        ? C
        : S extends ListOption<infer C>
          ? C[]
          : S extends CustomOption<infer T>
            ? T
            : string;

/** Flags are false when absent, repeatable options [], options with a default their default. */
type ResultOf<S> = S extends FlagOption
  ? boolean
  : S extends ListOption
    ? ValueOf<S> | undefined
    : S extends { multiple: true }
      ? ValueOf<S>[]
      : S extends { default: unknown }
        ? ValueOf<S>
        : ValueOf<S> | undefined;

export type OptionValues<O extends OptionSpecs> = { [K in keyof O]: ResultOf<O[K]> };

export interface ParsedArgs<O extends OptionSpecs> {
  options: OptionValues<O>;
  positionals: string[];
  /** Option names given on the command line (not defaulted), for "X needs Y" checks. */
  given: ReadonlySet<string>;
}

/** Keeps the literal types of a spec (choices, multiple: true) so parse results are typed. */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** Same for a group of options shared by several commands (overlay, telemetry). */
export function defineOptions<const O extends OptionSpecs>(options: O): O {
  return options;
}
