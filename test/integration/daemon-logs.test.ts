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
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startSimTarget } from '../helpers/sim-target.js';
import { runQuiescent } from '../helpers/sync-setup.js';

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
    // Fake time moves only while the worker is idle (runQuiescent), so each line's counts are
    // what the pacer allowed at that instant, whatever the machine's speed.
    const report = await runQuiescent(clock, app, app.sync({ trigger: 'test', deadlineMs: null }));
    expect(report.status).toBe('succeeded');
    const due = report.counts.imagesDue;
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

    // 11 fetches at 5 a minute: 5 at once, 5 at 60.25 s, the 11th at 120.5 s (the pacer's
    // instants, exact on the quiescent clock). A progress line every 30 s of run time, until the
    // maintenance starts: at 30, 60, 90 and 120 s.
    const progress = lines.filter((l) => l.msg === 'sync progress');
    expect(end.durationMs as number).toBeGreaterThan(120_000);
    expect(progress.map((p) => [p.scopesInFlight, p.due, p.fetched, p.pending])).toEqual([
      [1, 11, 5, 6],
      [1, 11, 5, 6],
      [1, 11, 10, 1],
      [1, 11, 10, 1],
    ]);
    expect(progress.every((p) => (p.etaSeconds as number) > 0)).toBe(true);
  });
});
