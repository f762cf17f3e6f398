import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatAge } from './age-format.js';
import { createProgressReporter, ProgressTracker, progressMode, renderBar, renderLine } from './progress.js';

/** A stream that records writes; `isTTY` and `columns` as a terminal would have them. */
function sink(tty: boolean, columns = 100) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number; writes: string[] };
  s.isTTY = tty;
  s.columns = columns;
  s.writes = [];
  const write = s.write.bind(s);
  s.write = ((chunk: string) => {
    s.writes.push(String(chunk));
    return write(chunk);
  }) as typeof s.write;
  return s;
}

describe('ProgressTracker', () => {
  it('weighs scopes equally: inventory is the first 10 %, fetching the rest', () => {
    const t = new ProgressTracker(4, 0);
    t.update({ scope: 'a', phase: 'done', done: 10, total: 10 });
    t.update({ scope: 'b', phase: 'fetch', done: 5, total: 10 });
    t.update({ scope: 'c', phase: 'inventory', done: 100, total: 200 });
    const s = t.snapshot(11_000);
    // (1 + 0.1 + 0.9 * 0.5 + 0.1 * 0.5) / 4 = 0.4
    expect(s.fraction).toBeCloseTo(0.4, 10);
    expect(s).toMatchObject({ scopesDone: 1, scopesTotal: 4, imagesFetched: 15, imagesDue: 20 });
    // 11 s for 40 %: 16.5 s to go, rounded up.
    expect(s.etaSeconds).toBe(17);
  });

  it('never promises faster than the paced rate allows for the images still due', () => {
    // 5 of 40 images fetched in 2 s (a burst); 35 more at 5 per minute take 7 minutes.
    const t = new ProgressTracker(1, 0, 5);
    t.update({ scope: 'a', phase: 'fetch', done: 5, total: 40 });
    expect(t.snapshot(2_000).etaSeconds).toBe(420);
    expect(new ProgressTracker(1, 0).snapshot(0).etaSeconds).toBeNull();
    const free = new ProgressTracker(1, 0);
    free.update({ scope: 'a', phase: 'fetch', done: 5, total: 40 });
    // (0.1 + 0.9 * 0.125) = 0.2125 in 2 s: 7.4 s to go.
    expect(free.snapshot(2_000).etaSeconds).toBe(8);
  });

  it('gives no ETA before 1 % or 1 s, and 0 when every scope is done', () => {
    const t = new ProgressTracker(2, 0);
    expect(t.snapshot(5_000).etaSeconds).toBeNull();
    t.update({ scope: 'a', phase: 'fetch', done: 1, total: 100 });
    expect(t.snapshot(500).etaSeconds).toBeNull();
    t.update({ scope: 'a', phase: 'done', done: 100, total: 100 });
    t.update({ scope: 'b', phase: 'done', done: 0, total: 0 });
    expect(t.snapshot(9_000)).toEqual({
      fraction: 1,
      scopesDone: 2,
      scopesTotal: 2,
      imagesFetched: 100,
      imagesDue: 100,
      etaSeconds: 0,
    });
  });
});

describe('rendering', () => {
  const snap = {
    fraction: 0.3,
    scopesDone: 1,
    scopesTotal: 4,
    imagesFetched: 12,
    imagesDue: 40,
    etaSeconds: 80,
  };

  it('draws a bar with percentage, scopes, images and ETA', () => {
    expect(renderBar(snap)).toBe('sync [██████░░░░░░░░░░░░░░]  30%  scopes 1/4  images 12/40  ETA 1m 20s');
    expect(renderBar({ ...snap, etaSeconds: null })).toBe(
      'sync [██████░░░░░░░░░░░░░░]  30%  scopes 1/4  images 12/40  ETA --',
    );
  });

  it('cuts the bar to the terminal width', () => {
    expect(renderBar(snap, 30)).toBe('sync [██████░░░░░░░░░░░░░░]  ');
  });

  it('writes the plain line without a bar', () => {
    expect(renderLine(snap)).toBe('sync progress: 30%  scopes 1/4  images 12/40  ETA 1m 20s');
  });

  it('formats ages for people', () => {
    expect([0, 59, 80, 600, 3600, 5400, 86_400, 97_200].map(formatAge)).toEqual([
      '0s',
      '59s',
      '1m 20s',
      '10m',
      '1h',
      '1h 30m',
      '1d',
      '1d 3h',
    ]);
  });
});

describe('progressMode', () => {
  it('is a bar on a terminal, lines with readable logs elsewhere, else off', () => {
    expect(progressMode(sink(true), 'json')).toBe('bar');
    expect(progressMode(sink(false), 'pretty')).toBe('lines');
    expect(progressMode(sink(false), 'json')).toBe('off');
  });
});

describe('createProgressReporter', () => {
  it('bar: redraws in place at most every 100 ms, keeps log lines above it, clears it at the end', () => {
    let t = 0;
    const out = sink(true);
    const p = createProgressReporter({ out, mode: 'bar', scopes: 2, now: () => t });
    p.onProgress({ scope: 'a', phase: 'fetch', done: 1, total: 4 });
    t = 50;
    p.onProgress({ scope: 'a', phase: 'fetch', done: 2, total: 4 }); // too soon: not drawn
    t = 2_000;
    p.logDestination.write('a log line\n');
    t = 2_050;
    p.onProgress({ scope: 'a', phase: 'done', done: 4, total: 4 }); // scope done: always drawn
    p.finish();
    p.onProgress({ scope: 'b', phase: 'done', done: 0, total: 0 }); // after finish: nothing
    expect(out.writes).toEqual([
      // (0.1 + 0.9 * 0.25) / 2 = 16 % at t = 0: too early for an ETA.
      '\r\u001b[2Ksync [███░░░░░░░░░░░░░░░░░]  16%  scopes 0/2  images 1/4  ETA --',
      '\r\u001b[2K',
      'a log line\n',
      // 0.1 + 0.9 * 0.5 = 0.55 of one scope in 2 s.
      '\r\u001b[2Ksync [██████░░░░░░░░░░░░░░]  27%  scopes 0/2  images 2/4  ETA 6s',
      '\r\u001b[2Ksync [██████████░░░░░░░░░░]  50%  scopes 1/2  images 4/4  ETA 3s',
      '\r\u001b[2K',
    ]);
  });

  it('lines: one line per finished scope and a summary line every 10 s', () => {
    let t = 0;
    const out = sink(false);
    const p = createProgressReporter({ out, mode: 'lines', scopes: 2, now: () => t });
    p.onProgress({ scope: 'p/0/private_image', phase: 'fetch', done: 1, total: 10 });
    t = 10_000;
    p.onProgress({ scope: 'p/0/private_image', phase: 'fetch', done: 5, total: 10 });
    t = 12_000;
    p.onProgress({ scope: 'p/0/private_image', phase: 'done', done: 10, total: 10 });
    p.logDestination.write('log\n');
    p.finish();
    expect(out.writes).toEqual([
      'sync progress: 27%  scopes 0/2  images 5/10  ETA 27s\n',
      'scope p/0/private_image done: 10/10 images fetched\n',
      'log\n',
    ]);
  });

  it('off: writes nothing but the log lines', () => {
    const out = sink(false);
    const p = createProgressReporter({ out, mode: 'off', scopes: 1, now: () => 0 });
    p.onProgress({ scope: 'a', phase: 'done', done: 1, total: 1 });
    p.logDestination.write('{"msg":"x"}\n');
    p.finish();
    expect(out.writes).toEqual(['{"msg":"x"}\n']);
  });

  it('shows per API the calls made, due and the catch-up time; the ETA waits for the slowest API', () => {
    const apis = [
      {
        api: 'ListImageRiskConfigs' as const,
        callsMade: 12,
        callsDue: 28,
        ratePerMinute: 5,
        catchUpSeconds: 336,
      },
      {
        api: 'ListImageRiskConfigRules' as const,
        callsMade: 9,
        callsDue: 60,
        ratePerMinute: 5,
        catchUpSeconds: 720,
      },
      {
        api: 'ShowImageCheckRuleDetail' as const,
        callsMade: 0,
        callsDue: 0,
        ratePerMinute: 5,
        catchUpSeconds: 0,
      },
    ];
    const t = new ProgressTracker(1, 0);
    t.update({ scope: 'a', phase: 'fetch', done: 12, total: 40, apis });
    // A rule call updates the figures only: the scope stays where its summaries are.
    t.update({ scope: 'a', phase: 'rules', done: 0, total: 0, apis });
    const s = t.snapshot(60_000);
    expect([s.imagesFetched, s.imagesDue, s.etaSeconds]).toEqual([12, 40, 720]);
    expect(renderLine(s).split('\n')).toEqual([
      'sync progress: 37%  scopes 0/1  images 12/40  ETA 12m',
      '  ListImageRiskConfigs: 12 calls made, 28 due, catch-up 5m 36s',
      '  ListImageRiskConfigRules: 9 calls made, 60 due, catch-up 12m',
    ]);
  });
});
