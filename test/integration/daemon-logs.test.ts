/**
 * The log of a long, paced run as a collector sees it: JSON lines only; a start and an end line
 * per run and per scope, the ends with counts; a `sync progress` line every 30 s with done,
 * pending and ETA. Fake time (5 calls a minute for 12 images is minutes of pacing), real HTTP and
 * PostgreSQL.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import type { Simulator } from '../../src/simulator/index.js';
import type { RunReport } from '../../src/sync/engine.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startSimTarget } from '../helpers/sim-target.js';

const PROJECT = 'proj-logs';
type Line = Record<string, unknown> & { msg: string };

describe('logs of a paced run', () => {
  let t: TestDatabase;
  let sim: Simulator;
  let app: App;
  const clock = new FakeClock(Date.UTC(2026, 2, 1, 12, 0, 0));
  const raw: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    const target = await startSimTarget({
      project: PROJECT,
      token: 'logs-token',
      seed: 9,
      imagesPerScope: 12,
      imageTypes: ['private_image'],
    });
    sim = target.sim;
    const config = loadConfig({
      DATABASE_URL: t.url,
      ...target.env,
      HSS_RATE_LIMIT_PER_MINUTE: '5',
      HSS_FETCH_CONCURRENCY: '1',
      // The summary sync's log lines; the rule drill-down's are asserted in rules-sync.test.ts.
      HSS_RULE_DETAIL: 'off',
    });
    const out = new Writable({
      write(chunk, _enc, done) {
        raw.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ level: 'info', format: 'json', destination: out });
    app = createApp(config, { logger, clock });
  });

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await t?.drop();
  });

  it('writes run and scope start/end lines with counts and a progress line every 30 s', async () => {
    let report: RunReport | undefined;
    const run = app.sync({ trigger: 'test', deadlineMs: null }).then((r) => {
      report = r;
    });
    // Move fake time in 1-s steps, letting real I/O (HTTP, PostgreSQL) run in between.
    for (let i = 0; !report && i < 1_000; i++) {
      await clock.advance(1_000);
      await new Promise((r) => setTimeout(r, 2));
    }
    await run;
    expect(report!.status).toBe('succeeded');
    const due = report!.counts.imagesDue;
    // Seed 9: 12 contents (15 tags), one never scanned: 11 fetches, 1 list call.
    expect(due).toBe(11);

    const lines = raw.map((l) => JSON.parse(l) as Line);
    expect(lines.every((l) => l.level !== undefined && typeof l.time === 'string')).toBe(true);
    const msgs = lines.map((l) => l.msg).filter((m) => m !== 'sync progress');
    expect(msgs).toEqual([
      'sync run started',
      'scope started',
      'scope planned',
      'scope finished',
      'maintenance started',
      'maintenance finished',
      'sync run finished',
    ]);
    expect(lines.find((l) => l.msg === 'sync run started')).toMatchObject({ scopes: 1, trigger: 'test' });
    expect(lines.find((l) => l.msg === 'scope finished')).toMatchObject({
      scope: `${PROJECT}/0/private_image`,
      status: 'succeeded',
      imagesListed: 15,
      imagesDistinct: 12,
      imagesDue: 11,
      imagesFetched: 11,
      imagesNotScanned: 1,
      imagesPending: 0,
      apiCalls: 12,
      throttled: 0,
    });
    const end = lines.find((l) => l.msg === 'sync run finished')!;
    expect(end).toMatchObject({ status: 'succeeded', imagesFetched: 11, apiCalls: 12 });

    // 11 fetches at 5 a minute: 5 at once, 5 after ~60 s, 1 after ~120 s. Progress every 30 s
    // of (fake) run time; pino stamps lines with the wall clock, so count them against the run.
    const progress = lines.filter((l) => l.msg === 'sync progress');
    const d = end.durationMs as number;
    expect(d).toBeGreaterThan(120_000);
    // The line runs until the maintenance starts, so at least through the 11th fetch, which the
    // pacer starts at 120.5 s at the earliest: lines at 30, 60, 90 and 120 s whatever the
    // machine's speed; never more than the run's duration holds.
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress.length).toBeLessThanOrEqual(Math.floor(d / 30_000));
    const first = progress[0]!;
    expect(first).toMatchObject({ scopesInFlight: 1, due: 11 });
    const fetched = progress.map((p) => p.fetched as number);
    expect(fetched[0]).toBeGreaterThan(0);
    expect(first.etaSeconds).toBeGreaterThan(0);
    expect(fetched).toEqual([...fetched].sort((a, b) => a - b));
    for (const p of progress) expect(p.pending).toBe((p.due as number) - (p.fetched as number));
    // Line i is at (i + 1) * 30 s: the pacer starts the 6th call at 60.25 s and the 11th at 120.5 s
    // at the earliest, whatever the machine's load (how far real I/O got between fake steps).
    expect(fetched.slice(0, 4).map((f, i) => f <= [5, 5, 10, 10][i]!)).toEqual(
      fetched.slice(0, 4).map(() => true),
    );
  });
});
