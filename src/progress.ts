/**
 * Progress of a `sync` for people. On a terminal: one live bar on stderr with percentage, scopes,
 * images and ETA, kept below the log lines (the bar is cleared before a log line and redrawn
 * after it). Not on a terminal with readable logs: a plain `sync progress` line every 10 s and one
 * per finished scope. With JSON logs off a terminal nothing is added: the JSON log already has
 * `scope finished` and the 30-s `sync progress` line, and plain text would corrupt the stream.
 */
import type { DestinationStream } from 'pino';
import { formatAge } from './age-format.js';
import type { ApiBacklog } from './sync/api-board.js';
import type { ProgressEvent } from './sync/engine.js';

export type ProgressMode = 'bar' | 'lines' | 'off';

/** The mode for a stream and the log format that shares it (see the module comment). */
export function progressMode(stream: NodeJS.WritableStream, logFormat: 'json' | 'pretty'): ProgressMode {
  if ((stream as NodeJS.WriteStream).isTTY === true) return 'bar';
  return logFormat === 'pretty' ? 'lines' : 'off';
}

/** Where a run stands, summed over scopes. */
export interface ProgressSnapshot {
  /** 0..1: each scope weighs the same; inventory is its first 10 %, fetching the rest. */
  fraction: number;
  scopesDone: number;
  scopesTotal: number;
  imagesFetched: number;
  /** Images due in the scopes planned so far. */
  imagesDue: number;
  /** null until there is enough progress to extrapolate. */
  etaSeconds: number | null;
  /** Per API: calls made, due and the time its budget needs (absent: not reported). */
  apis?: ApiBacklog[];
}

const INVENTORY_SHARE = 0.1;

/**
 * Aggregates the engine's per-scope events (pure: time comes in with each call). The ETA
 * extrapolates the progress so far, but is never less than the images still due at the paced
 * rate: the pacer lets a burst through at once and then holds calls back for the rest of the
 * minute, which a plain extrapolation would miss.
 */
export class ProgressTracker {
  private readonly scopes = new Map<string, ProgressEvent>();
  private apis: ApiBacklog[] | undefined;

  constructor(
    private readonly scopesTotal: number,
    private readonly startMs: number,
    /** Result fetches per minute the pacer allows; unknown: no floor. */
    private readonly fetchRatePerMinute: number | null = null,
  ) {}

  update(e: ProgressEvent): void {
    if (e.apis) this.apis = e.apis;
    // A rule call changes only the per-API figures; the scope's summaries keep their state.
    if (e.phase !== 'rules') this.scopes.set(e.scope, e);
  }

  snapshot(nowMs: number): ProgressSnapshot {
    let sum = 0;
    let scopesDone = 0;
    let imagesFetched = 0;
    let imagesDue = 0;
    for (const e of this.scopes.values()) {
      const part = e.total > 0 ? Math.min(1, e.done / e.total) : 1;
      if (e.phase === 'done') {
        scopesDone++;
        sum += 1;
      } else if (e.phase === 'inventory') {
        sum += INVENTORY_SHARE * part;
      } else {
        sum += INVENTORY_SHARE + (1 - INVENTORY_SHARE) * part;
      }
      if (e.phase !== 'inventory') {
        imagesFetched += e.done;
        imagesDue += e.total;
      }
    }
    const scopesTotal = Math.max(this.scopesTotal, this.scopes.size);
    const fraction = scopesTotal > 0 ? Math.min(1, sum / scopesTotal) : 1;
    const elapsed = nowMs - this.startMs;
    const paced = this.fetchRatePerMinute
      ? Math.ceil(((imagesDue - imagesFetched) / this.fetchRatePerMinute) * 60)
      : 0;
    let etaSeconds =
      fraction >= 1
        ? 0
        : fraction >= 0.01 && elapsed >= 1000
          ? Math.max(paced, Math.ceil((elapsed * (1 - fraction)) / fraction / 1000))
          : null;
    // The rule drill-down may go on after the summaries: the run ends when its slowest API catches up.
    const catchUp = Math.max(0, ...(this.apis ?? []).map((a) => a.catchUpSeconds));
    if (etaSeconds !== null) etaSeconds = Math.max(etaSeconds, catchUp);
    return {
      fraction,
      scopesDone,
      scopesTotal,
      imagesFetched,
      imagesDue,
      etaSeconds,
      ...(this.apis ? { apis: this.apis } : {}),
    };
  }
}

/** `sync [██████░░░░░░░░░░░░░░]  30%  scopes 1/4  images 12/40  ETA 1m 20s`, cut to `columns`. */
export function renderBar(s: ProgressSnapshot, columns = 80, barWidth = 20): string {
  const filled = Math.round(s.fraction * barWidth);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}`;
  const line = `sync [${bar}] ${describe(s)}`;
  return line.length > columns - 1 ? line.slice(0, Math.max(0, columns - 1)) : line;
}

function describe(s: ProgressSnapshot): string {
  const pct = `${Math.floor(s.fraction * 100)}%`.padStart(4);
  const eta = s.etaSeconds === null ? 'ETA --' : `ETA ${formatAge(s.etaSeconds)}`;
  return `${pct}  scopes ${s.scopesDone}/${s.scopesTotal}  images ${s.imagesFetched}/${s.imagesDue}  ${eta}`;
}

/**
 * `sync progress: 30%  scopes 1/4  images 12/40  ETA 1m 20s` (the plain-line mode), then one
 * line per API with work: `  ListImageRiskConfigs: 12 calls made, 28 due, catch-up 5m 36s`.
 */
export function renderLine(s: ProgressSnapshot): string {
  const apis = (s.apis ?? []).filter((a) => a.callsMade > 0 || a.callsDue > 0);
  return [
    `sync progress: ${describe(s).trimStart()}`,
    ...apis.map(
      (a) =>
        `  ${a.api}: ${a.callsMade} calls made, ${a.callsDue} due, catch-up ${formatAge(a.catchUpSeconds)}`,
    ),
  ].join('\n');
}

export interface ProgressReporter {
  /** Pass to `app.sync({ onProgress })`. */
  onProgress(e: ProgressEvent): void;
  /** Give to the logger: log lines pass through, with the bar kept below them. */
  readonly logDestination: DestinationStream;
  /** Removes the bar (call before printing the summary, also on errors). */
  finish(): void;
}

export interface ProgressOptions {
  out: NodeJS.WritableStream;
  mode: ProgressMode;
  /** Scopes the run will go through (for the percentage). */
  scopes: number;
  /** Result fetches per minute the pacer allows (a floor for the ETA). */
  fetchRatePerMinute?: number;
  now?: () => number;
  /** Bar redraws at most this often. Default 100 ms. */
  redrawMs?: number;
  /** Plain lines at most this often (besides one per finished scope). Default 10 000 ms. */
  lineEveryMs?: number;
}

const CLEAR_LINE = '\r\u001b[2K';

/** A reporter for `mode`; `off` only passes log lines through. */
export function createProgressReporter(opts: ProgressOptions): ProgressReporter {
  const now = opts.now ?? Date.now;
  const out = opts.out;
  const tracker = new ProgressTracker(opts.scopes, now(), opts.fetchRatePerMinute ?? null);
  const redrawMs = opts.redrawMs ?? 100;
  const lineEveryMs = opts.lineEveryMs ?? 10_000;
  let drawn = false;
  let finished = false;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastLine = now();

  const columns = () => (out as NodeJS.WriteStream).columns || 80;
  const draw = () => {
    out.write(`${CLEAR_LINE}${renderBar(tracker.snapshot(now()), columns())}`);
    drawn = true;
    lastDraw = now();
  };
  const clear = () => {
    if (drawn) out.write(CLEAR_LINE);
    drawn = false;
  };

  return {
    onProgress(e) {
      if (finished || opts.mode === 'off') return;
      tracker.update(e);
      const t = now();
      if (opts.mode === 'bar') {
        if (e.phase === 'done' || t - lastDraw >= redrawMs) draw();
        return;
      }
      if (e.phase === 'done') {
        out.write(`scope ${e.scope} done: ${e.done}/${e.total} images fetched\n`);
      }
      if (t - lastLine >= lineEveryMs) {
        out.write(`${renderLine(tracker.snapshot(t))}\n`);
        lastLine = t;
      }
    },
    logDestination: {
      write(chunk: string) {
        const wasDrawn = drawn;
        clear();
        out.write(chunk);
        if (wasDrawn && !finished) draw();
      },
    },
    finish() {
      if (finished) return;
      finished = true;
      clear();
    },
  };
}
