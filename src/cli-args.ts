/**
 * The one parser of every command's arguments (a thin layer over node:util parseArgs): each
 * command declares its options once (src/commands/specs.ts) with a value parser per option, and
 * gets the same answers for the same mistakes: one line naming the option, what it expects and,
 * for a typo, the option meant. Every such mistake is a UsageError: exit 64 (src/exit-codes.ts).
 */
import { parseArgs } from 'node:util';
import { microsecondText, parseInstant } from './instant.js';
import { closest, didYouMean } from './suggest.js';

/** A command line the command cannot take: an unknown option, a bad value, a missing one. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  multiple?: boolean;
  /** Placeholder of the value in the help, e.g. `N`. */
  value?: string;
  /** One line for the command's help (with the default when there is one). */
  help: string;
  /** Set when the option must be given: what it expects, for the message when it is missing. */
  required?: string;
  /** Checks and converts a value; throws UsageError naming `flag` (e.g. `--port`). */
  parse?: (raw: string, flag: string) => unknown;
}

export type Options = Record<string, OptionSpec>;

export interface CommandSpec<O extends Options = Options> {
  name: string;
  /** After the command name in the help's first line, e.g. `[--json] [--runs N]`. */
  synopsis: string;
  /** Lines of the top-level usage (the first is the summary). */
  summary: string;
  /** Paragraph of the command's own help: what it needs, what its exit codes mean. */
  details: string;
  options: O;
  /**
   * Whether it reads its configuration from the environment; if so the environment is checked
   * before it runs (unknown HSS_/SYNC_ variables, LOG_LEVEL, LOG_FORMAT).
   */
  readsEnv: boolean;
}

type ValueOf<S extends OptionSpec> = S extends { parse: (raw: string, flag: string) => infer T }
  ? T
  : S['type'] extends 'boolean'
    ? boolean
    : string;

/** The parsed values: an option not given is undefined (defaults belong to the command). */
export type Values<O extends Options> = {
  [K in keyof O]?: O[K] extends { multiple: true } ? ValueOf<O[K]>[] : ValueOf<O[K]>;
};

/** Declares a command's spec with its option types kept for `parseCommandArgs`. */
export function defineCommand<const O extends Options>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** The options every command takes besides its own. */
const COMMON: Options = {
  help: { type: 'boolean', short: 'h', help: 'print this help and exit (runs nothing)' },
  version: { type: 'boolean', help: 'print the version and exit' },
};

/**
 * `help` when `--help`/`-h` is among the arguments (before `--`), `version` for `--version`,
 * else null. Looked at before anything else: a request for help never runs the command, even
 * beside an option it would refuse.
 */
export function helpOrVersion(args: readonly string[]): 'help' | 'version' | null {
  let version = false;
  for (const a of args) {
    if (a === '--') break;
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--version') version = true;
  }
  return version ? 'version' : null;
}

function flagsOf(options: Options): string[] {
  return Object.keys({ ...options, ...COMMON }).map((k) => `--${k}`);
}

/** One line for what parseArgs refused. */
function usageProblem(err: Error & { code?: string }, spec: CommandSpec): string {
  const flags = flagsOf(spec.options);
  const unknown = /^Unknown option '([^']+)'/.exec(err.message);
  if (unknown) {
    const given = unknown[1]!;
    // A one-letter flag is too short to guess from.
    const guess = given.startsWith('--') ? closest(given, flags) : null;
    return guess
      ? `unknown option ${given} (did you mean ${guess}?)`
      : `unknown option ${given} (${spec.name} takes ${flags.join(', ')})`;
  }
  const missing = /^Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(err.message);
  if (missing) {
    const option = spec.options[missing[1]!.slice(2)];
    return `${missing[1]} needs a value${option?.value ? ` (${option.value})` : ''}`;
  }
  const ambiguous = /^Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(err.message);
  if (ambiguous) {
    const flag = ambiguous[1]!;
    return `${flag} needs a value; one starting with "-" is given as ${flag}=VALUE`;
  }
  const positional = /^Unexpected argument '([^']*)'/.exec(err.message);
  if (positional) {
    const given = positional[1]!;
    return `unexpected argument ${JSON.stringify(given)}: ${spec.name} takes no arguments, only options${didYouMean(`--${given}`, flags)}`;
  }
  const noValue = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(err.message);
  if (noValue) return `${noValue[1]} takes no value`;
  return err.message;
}

/**
 * Parses `args` by `spec`: types, unknown options (with the closest known one), then each value
 * by its parser. Throws UsageError with one line.
 */
export function parseCommandArgs<O extends Options>(
  spec: CommandSpec<O>,
  args: readonly string[],
): Values<O> {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    const options: Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }> = {};
    for (const [name, o] of Object.entries({ ...spec.options, ...COMMON })) {
      options[name] = {
        type: o.type,
        ...(o.short ? { short: o.short } : {}),
        ...(o.multiple ? { multiple: true } : {}),
      };
    }
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }));
  } catch (err) {
    if (err instanceof Error) throw new UsageError(usageProblem(err, spec), { cause: err });
    throw err;
  }
  const out: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    const v = values[name];
    if (v === undefined) {
      if (o.required !== undefined) throw new UsageError(`--${name} is required (${o.required})`);
      continue;
    }
    const parse = o.parse;
    if (!parse || o.type !== 'string') out[name] = v;
    else
      out[name] = Array.isArray(v)
        ? v.map((x) => parse(String(x), `--${name}`))
        : parse(String(v), `--${name}`);
  }
  return out as Values<O>;
}

// ---- value parsers ----------------------------------------------------------------------------

/** A whole number from `min` to `max` (`unit` names what it counts, e.g. `days`). */
export const intIn =
  (min: number, max: number, unit?: string) =>
  (raw: string, flag: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
      throw new UsageError(
        `${flag} ${JSON.stringify(raw)} is not a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`,
      );
    }
    return n;
  };

/** One of `allowed`. */
export const oneOf =
  <const T extends string>(allowed: readonly T[]) =>
  (raw: string, flag: string): T => {
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    throw new UsageError(
      `${flag} ${JSON.stringify(raw)} is not one of ${allowed.join(', ')}${didYouMean(raw, allowed)}`,
    );
  };

/** An ISO 8601 instant with a zone (Z or ±hh:mm). */
export const instant = (raw: string, flag: string): Date => {
  const d = parseInstant(raw);
  if (!d) {
    throw new UsageError(
      `${flag} ${JSON.stringify(raw)} is not an ISO 8601 instant with a zone (expected e.g. 2026-03-01T00:00:00Z or 2026-03-01T08:00:00+08:00)`,
    );
  }
  return d;
};

/** An instant with a zone, kept to the microsecond PostgreSQL keeps: its Date and its UTC text. */
export const instantMicros = (raw: string, flag: string): { at: Date; text: string } => {
  const at = instant(raw, flag);
  const text = microsecondText(raw, at);
  if (text === null) {
    throw new UsageError(
      `${flag} ${JSON.stringify(raw)} is finer than a microsecond (PostgreSQL keeps microseconds: give at most 6 fractional digits)`,
    );
  }
  return { at, text };
};

/** A non-empty text. */
export const nonEmpty = (raw: string, flag: string): string => {
  if (raw.trim() === '') throw new UsageError(`${flag} is empty`);
  return raw;
};
