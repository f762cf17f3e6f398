/**
 * The generic reader of the variables in SPEC (env-spec.ts): each value is read, parsed and
 * validated by its spec on first use, the spec's default standing in when it is unset. Empty
 * strings count as unset; a secret may come from NAME or NAME_FILE (exactly one of them).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { type ParseContext, SPEC, type VarName, type VarSpec, type VarValue } from './env-spec.js';

export type Env = Record<string, string | undefined>;
export type ReadFile = (path: string) => string;

export const defaultReadFile: ReadFile = (p) => readFileSync(p, 'utf8');

/** The environment of this process: the one place production code takes it from. */
export function processEnv(): Env {
  return process.env;
}

/** A file holding a secret; its trailing newline is dropped. */
export function readSecretFile(variable: string, path: string, readFile: ReadFile): string {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      variable,
      `cannot read ${JSON.stringify(path)} (${code})`,
      'a readable file holding the secret',
    );
  }
  const value = text.replace(/\r?\n$/, '');
  if (value.length === 0)
    throw new ConfigError(variable, `${JSON.stringify(path)} is empty`, 'a file holding the secret');
  return value;
}

export interface Settings {
  /** The parsed value (or default); throws ConfigError on the first problem with it. */
  get<K extends VarName>(name: K): VarValue<K>;
  /** Whether the variable (or its _FILE twin) is set, without reading or parsing it. */
  isSet(name: VarName): boolean;
}

export function readSettings(env: Env, readFile: ReadFile = defaultReadFile): Settings {
  const plain = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const text = (name: VarName, spec: VarSpec<unknown>): string | undefined => {
    if (!spec.secret) return plain(name);
    const direct = plain(name);
    const file = plain(`${name}_FILE`);
    if (direct !== undefined && file !== undefined) {
      throw new ConfigError(name, `both ${name} and ${name}_FILE are set`, 'set only one of them');
    }
    return file === undefined ? direct : readSecretFile(`${name}_FILE`, file, readFile);
  };
  const values = new Map<VarName, unknown>();
  const ctx: ParseContext = {
    get allowInsecureHttp() {
      return get('HSS_ALLOW_INSECURE_HTTP');
    },
  };
  function get<K extends VarName>(name: K): VarValue<K> {
    if (!values.has(name)) {
      const spec: VarSpec<unknown> = SPEC[name];
      const raw = text(name, spec) ?? spec.default;
      values.set(name, raw === undefined ? undefined : spec.parse(raw, name, ctx));
    }
    return values.get(name) as VarValue<K>;
  }
  return {
    get,
    isSet: (name) =>
      plain(name) !== undefined || (SPEC[name].secret === true && plain(`${name}_FILE`) !== undefined),
  };
}
