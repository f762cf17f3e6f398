/**
 * Every command's options, help and needs, in one place: `main` answers `--help`, `--version`
 * and every argument mistake from here before it loads (or lets touch anything) the command,
 * and each command parses its arguments with the same spec (src/cli-args.ts).
 */
import {
  type CommandSpec,
  defineCommand,
  instantMicros,
  intIn,
  nonEmpty,
  oneOf,
  UsageError,
} from '../cli-args.js';
import { IMAGE_TYPES } from '../domain.js';
import { parseDateOrInstant } from '../instant.js';
import { closest } from '../suggest.js';

/** `report --image-type`: one type or a comma list of them, each a known image type. */
const imageTypeList = (raw: string, flag: string): string[] => {
  const types = raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of types) {
    if ((IMAGE_TYPES as readonly string[]).includes(t)) continue;
    const guess = closest(t, IMAGE_TYPES);
    throw new UsageError(
      `${flag} ${JSON.stringify(t)} is not an image type${guess ? ` (did you mean ${guess}?)` : ''}; known: ${IMAGE_TYPES.join(', ')}`,
    );
  }
  return types;
};

/** `verify --since`: a date (UTC midnight) or an instant with a zone. */
const since = (raw: string, flag: string): Date => {
  const d = parseDateOrInstant(raw);
  if (!d) {
    throw new UsageError(
      `${flag} ${JSON.stringify(raw)} is not an ISO 8601 instant (2026-03-01 or 2026-03-01T00:00:00Z)`,
    );
  }
  return d;
};

export const MIGRATE = defineCommand({
  name: 'migrate',
  synopsis: '',
  summary: 'apply database migrations (DATABASE_URL)',
  details:
    'Applies the pending SQL migrations. Run it as the owner of the schemas hss and hss_internal (the login that first migrated). Exit 0 done, 1 failed, 78 a wrong setting or a login that may not migrate.',
  options: {},
  readsEnv: true,
});

export const SYNC = defineCommand({
  name: 'sync',
  synopsis: '',
  summary: `run one sync now; prints a one-line summary
exit 0 succeeded, 2 partial, 1 failed, 3 aborted`,
  details:
    'One sync now: a one-line summary on stdout, logs and progress on stderr. Needs the configuration of README "Configuration" and a login granted hss_writer. Exit 0 succeeded, 2 partial, 1 failed, 3 aborted, 78 a wrong setting or a migration pending.',
  options: {},
  readsEnv: true,
});

export const START = defineCommand({
  name: 'start',
  synopsis: '',
  summary: 'daemon: migrate, sync on SYNC_SCHEDULE, serve /healthz /readyz /metrics',
  details:
    'The daemon: applies pending migrations if its login may, syncs on SYNC_SCHEDULE, serves /healthz, /readyz and /metrics on HTTP_PORT; logs on stdout. Needs a login granted hss_writer. Exit 0 after SIGTERM/SIGINT, 3 after a forced stop, 78 a wrong setting or a migration pending that it may not apply.',
  options: {},
  readsEnv: true,
});

export const STATUS = defineCommand({
  name: 'status',
  synopsis: '[--json] [--runs N]',
  summary: `recent runs, per-scope freshness and the next scheduled run
(--json; --runs N: how many runs, default 10)`,
  details:
    'Recent runs, per-scope freshness and coverage, the next scheduled run. Needs only DATABASE_URL and a login granted hss_reader. Exit 0, 78 a wrong setting.',
  options: {
    json: { type: 'boolean', help: 'print JSON instead of tables' },
    runs: {
      type: 'string',
      value: 'N',
      help: 'how many recent runs (1–200, default 10)',
      parse: intIn(1, 200),
    },
  },
  readsEnv: true,
});

export const SIMULATE = defineCommand({
  name: 'simulate',
  synopsis: '[options]',
  summary: `serve the HSS simulator (--port 8080 --host 127.0.0.1 --seed 1
--images 40 per scope --rate-limit 0 --token sim-token
--cicd-risk-configs empty|seed); also accepts the test AK/SK it prints`,
  details:
    'Serves the HSS simulator until SIGTERM/SIGINT; reads no environment variable. Exit 0 after Ctrl-C.',
  options: {
    port: {
      type: 'string',
      value: 'PORT',
      help: 'port to listen on (0–65535, default 8080)',
      parse: intIn(0, 65_535),
    },
    host: {
      type: 'string',
      value: 'HOST',
      help: 'address to listen on (default 127.0.0.1)',
      parse: nonEmpty,
    },
    seed: {
      type: 'string',
      value: 'N',
      help: 'seed of the simulated world (default 1)',
      parse: intIn(0, 2 ** 31 - 1),
    },
    images: {
      type: 'string',
      value: 'N',
      help: 'image contents per scope (default 40)',
      parse: intIn(0, 1_000_000),
    },
    'rate-limit': {
      type: 'string',
      value: 'N',
      help: 'calls per minute per caller and API; 0 = off (default), 5 = HSS',
      parse: intIn(0, 100_000),
    },
    token: {
      type: 'string',
      multiple: true,
      value: 'TOKEN',
      help: 'token to accept (repeat; default sim-token)',
    },
    project: { type: 'string', value: 'ID', help: 'project ID (default proj-demo)', parse: nonEmpty },
    'enterprise-projects': {
      type: 'string',
      value: 'IDS',
      help: 'comma list of enterprise projects (default 0)',
    },
    'cicd-risk-configs': {
      type: 'string',
      value: 'MODE',
      help: 'ListImageRiskConfigs for cicd: empty (official, default) or seed',
      parse: oneOf(['empty', 'seed']),
    },
  },
  readsEnv: false,
});

export const REPORT = defineCommand({
  name: 'report',
  synopsis: '--as-of <instant> --out <dir> [options]',
  summary: `evidence as of an instant: index.html, CSVs, manifest.json (DATABASE_URL)
(--as-of 2026-03-01T00:00:00Z --out DIR [--days 90] [--target …]
[--enterprise-project …] [--image-type …])`,
  details:
    'Evidence of the posture as of an instant. Needs only DATABASE_URL and a login granted hss_reader. Exit 0; 2 the history hash chain is broken (nothing written unless --allow-broken); 64 a wrong argument, a DIR that is not empty or an instant after the database clock; 66 nothing to report (no chosen scope had finished a run by the instant, or the filters match no scope, or retention deleted history in force then); 75 a sync run that started by the instant is still open (try again later); 1 DIR cannot be written; 78 a wrong setting or a login without hss_reader.',
  options: {
    'as-of': {
      type: 'string',
      value: 'INSTANT',
      help: 'ISO 8601 instant with a zone, e.g. 2026-03-01T00:00:00Z (required)',
      required: 'an instant such as 2026-03-01T00:00:00Z',
      parse: instantMicros,
    },
    out: {
      type: 'string',
      value: 'DIR',
      help: 'directory to create, or an empty one (required)',
      required: 'the directory to write the report into',
    },
    days: {
      type: 'string',
      value: 'N',
      help: 'period before the instant for the chart and changes (1–3660, default 90)',
      parse: intIn(1, 3660, 'days'),
    },
    target: {
      type: 'string',
      multiple: true,
      value: 'NAME',
      help: 'only these targets (repeat, or comma list)',
    },
    'enterprise-project': {
      type: 'string',
      multiple: true,
      value: 'ID',
      help: 'only these enterprise projects (repeat, or comma list)',
    },
    'image-type': {
      type: 'string',
      multiple: true,
      value: 'TYPE',
      help: 'only these image types (repeat, or comma list)',
      parse: imageTypeList,
    },
    'allow-broken': {
      type: 'boolean',
      help: 'write the report even when the history hash chain is broken, marked on the page and in the manifest (exit 0)',
    },
  },
  readsEnv: true,
});

/** `verify --as-of`: an instant with a zone, at most microseconds; kept as given (PostgreSQL reads it). */
const asOfText = (raw: string, flag: string): string => {
  instantMicros(raw, flag);
  return raw;
};

/** `verify --expect`: a hex SHA-256, as `verify --as-of` and manifest.json print it. */
const sha256Hex = (raw: string, flag: string): string => {
  if (!/^[0-9a-fA-F]{64}$/.test(raw)) {
    throw new UsageError(`${flag} ${JSON.stringify(raw)} is not a SHA-256 in hex (64 characters 0-9, a-f)`);
  }
  return raw.toLowerCase();
};

export const VERIFY = defineCommand({
  name: 'verify',
  synopsis: '[--since <instant>] [--as-of <instant> [--expect <digest>]] [--json]',
  summary: `recompute the history hash chain; names every broken link (DATABASE_URL)
(--since 2026-03-01T00:00:00Z --json; --as-of T: the digest of the history at T,
--expect DIGEST: compare it); exit 0 intact, 2 broken or different, 75 T not complete yet`,
  details:
    'Recomputes the hash chain of the baseline and rule histories and names every broken link; with --as-of, also the digest of the histories as they stood at that instant (docs/audit.md), compared with --expect. Needs only DATABASE_URL and a login granted hss_reader. Exit 0 intact (and equal), 2 a link is broken or the digest differs from --expect, 64 a wrong argument or an instant after the database clock, 66 retention deleted history in force at the instant, 75 a sync run that started at or before the instant is still open (try again later), 1 failed, 78 a wrong setting.',
  options: {
    'as-of': {
      type: 'string',
      value: 'INSTANT',
      help: 'also print the digest of the histories as they stood at this instant, e.g. 2026-03-01T00:00:00Z',
      parse: asOfText,
    },
    expect: {
      type: 'string',
      value: 'DIGEST',
      help: "with --as-of: exit 2 unless the digest equals this one (a report's manifest.json as_of_digest)",
      parse: sha256Hex,
    },
    since: {
      type: 'string',
      value: 'INSTANT',
      help: 'only versions from this date or instant, e.g. 2026-03-01T00:00:00Z',
      parse: since,
    },
    json: { type: 'boolean', help: 'print the report as JSON' },
  },
  readsEnv: true,
});

export const DEMO = defineCommand({
  name: 'demo',
  synopsis: '[--once] [--use-database-url] [--port 54329] [--data-dir .demo-data]',
  summary: `embedded PostgreSQL + simulator + sync, then every 20 s until Ctrl-C
(--use-database-url: use DATABASE_URL instead, an empty database or the demo's)`,
  details:
    "The whole product on one machine: embedded PostgreSQL on a stable port, the simulator, a read-only login for BI tools, a sync, then one every 20 s. Exit 0 after Ctrl-C; with --once the first run's code, as for sync.",
  options: {
    once: { type: 'boolean', help: 'stop after the first sync (the embedded server stops too)' },
    'use-database-url': {
      type: 'boolean',
      help: "use DATABASE_URL (an empty database or the demo's) instead of embedded PostgreSQL",
    },
    port: {
      type: 'string',
      value: 'PORT',
      help: 'port of the embedded PostgreSQL on 127.0.0.1 (default 54329; stable, so a BI data source survives a restart)',
      parse: intIn(1, 65_535),
    },
    'data-dir': {
      type: 'string',
      value: 'DIR',
      help: 'where the embedded PostgreSQL keeps its data and the reader password (default .demo-data)',
      parse: nonEmpty,
    },
    'rate-limit': {
      type: 'string',
      value: 'N',
      help: "the simulator's calls per minute per API, and the sync's pace (1–100000, default 6000)",
      parse: intIn(1, 100_000, 'calls per minute'),
    },
    images: {
      type: 'string',
      value: 'N',
      help: 'contents per scope in the simulated world (1–10000, default 30)',
      parse: intIn(1, 10_000, 'images'),
    },
  },
  readsEnv: true,
});

export const SPECS: readonly CommandSpec[] = [MIGRATE, SYNC, START, STATUS, SIMULATE, REPORT, VERIFY, DEMO];

/** `text` broken at spaces into lines of at most `width` characters (a longer word stays whole). */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/** The command's help: usage line, what it does, its options. */
export function commandHelp(spec: CommandSpec): string {
  const rows: [string, string][] = Object.entries(spec.options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`,
    o.help,
  ]);
  rows.push(
    ['-h, --help', 'print this help and exit (runs nothing)'],
    ['--version', 'print the version and exit'],
  );
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return `Usage: hss-baseline-sync ${spec.name}${spec.synopsis ? ` ${spec.synopsis}` : ''}

${wrap(spec.details, 96)}

Options:
${rows.map(([l, h]) => `  ${l.padEnd(width)}${h}`).join('\n')}

Configuration is read from environment variables; see README.md, "Configuration".
`;
}
