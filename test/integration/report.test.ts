/**
 * `report` on four days of history built through the simulator: the CSVs equal the truth at the
 * instant (the simulator's answers after the sync before it, or SQL over the history), two runs
 * and a run as a login in hss_reader give the same bytes, the manifest's hashes are those of
 * the files, and mistakes are usage errors that leave nothing behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHANGE_KINDS } from '../../src/report/findings.js';
import { COVERAGE_STATES, DAILY_SEVERITIES } from '../../src/report/queries.js';
import { parseCsv } from '../helpers/csv.js';
import {
  newOutDir,
  type ReportWorld,
  readDir,
  runReport,
  startReportWorld,
} from '../helpers/report-world.js';
import type { ResultRow } from '../helpers/sync-world.js';

const RANK: Record<string, number> = { Security: 0, Low: 1, Medium: 2, High: 3, Critical: 4 };
const rank = (s: string | null) => (s !== null && s in RANK ? (RANK[s] as number) : -1);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const csvOf = (dir: string, name: string) => parseCsv(readFileSync(join(dir, `${name}.csv`), 'utf8'));
/** A CSV as objects keyed by its header. */
const records = (dir: string, name: string) => {
  const [header, ...rows] = csvOf(dir, name);
  return rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] as string])));
};

describe('report as of an instant', () => {
  let rw: ReportWorld;
  let out: string;
  let truth: ResultRow[];
  let asOf: string;

  beforeAll(async () => {
    rw = await startReportWorld();
    truth = rw.snaps[2]!.truth;
    asOf = rw.asOf.toISOString();
    out = newOutDir();
    const r = await runReport(rw.w.t.url, ['--as-of', asOf, '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(`^report as of ${asOf} written to ${out}: 10 files; manifest.json sha256 [0-9a-f]{64}\\n$`),
    );
  });

  afterAll(async () => {
    await rw?.close();
  });

  it('writes the page, one CSV per table and the manifest, nothing else', () => {
    expect(readdirSync(out).sort()).toEqual([
      'changes.csv',
      'coverage.csv',
      'daily-failed-items.csv',
      'failing-rules.csv',
      'fixes-and-regressions.csv',
      'freshness.csv',
      'index.html',
      'manifest.json',
      'posture.csv',
      'worst-images.csv',
    ]);
    // Nothing left beside it.
    expect(readdirSync(dirname(out))).toEqual(['out']);
  });

  it('posture by standard and severity equals what HSS answered before the instant', () => {
    const groups = new Map<string, ResultRow[]>();
    for (const r of truth) {
      const k = `${r.standard}\u0001${r.severity ?? ''}`;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    const expected = [...groups.values()]
      .map((rows) => ({
        standard: rows[0]!.standard,
        severity: rows[0]!.severity ?? '',
        results: String(rows.length),
        images: String(
          new Set(rows.map((r) => `${r.enterprise_project_id}/${r.image_type}/${r.image_id}`)).size,
        ),
        results_failing: String(rows.filter((r) => (r.failed_rule_num ?? 0) > 0).length),
        failed_items: String(rows.reduce((a, r) => a + (r.failed_rule_num ?? 0), 0)),
        check_items: String(rows.reduce((a, r) => a + (r.check_rule_num ?? 0), 0)),
      }))
      .sort(
        (a, b) =>
          cmp(a.standard, b.standard) || rank(b.severity) - rank(a.severity) || cmp(a.severity, b.severity),
      );
    expect(records(out, 'posture')).toEqual(expected);
  });

  it('coverage counts the images with results at the instant, per scope, each image in one state', () => {
    const rows = records(out, 'coverage');
    expect(rows.map((r) => `${r.enterprise_project_id}/${r.image_type}`)).toEqual([
      '0/local_image',
      '0/private_image',
      'ep-2/local_image',
      'ep-2/private_image',
    ]);
    for (const r of rows) {
      const images = new Set(
        truth
          .filter((t) => t.enterprise_project_id === r.enterprise_project_id && t.image_type === r.image_type)
          .map((t) => t.image_id),
      );
      expect(r.target).toBe('cn-north-4/proj-hist');
      expect(r.images_covered).toBe(String(images.size));
      const parts = COVERAGE_STATES.map((st) => `images_${st}`);
      expect(parts.reduce((a, k) => a + Number(r[k]), 0)).toBe(Number(r.images_listed));
    }
  });

  it('the worst images are those of the truth, worst severity and most failed items first', () => {
    const byImage = new Map<string, ResultRow[]>();
    for (const r of truth.filter((t) => (t.failed_rule_num ?? 0) > 0)) {
      const k = [r.project_id, r.enterprise_project_id, r.image_type, r.image_id].join('\u0001');
      byImage.set(k, [...(byImage.get(k) ?? []), r]);
    }
    const expected = [...byImage.entries()]
      .map(([k, rows]) => ({
        k,
        image_id: rows[0]!.image_id,
        worst: Math.max(...rows.map((r) => rank(r.severity))),
        failed: rows.reduce((a, r) => a + (r.failed_rule_num ?? 0), 0),
        baselines: rows.length,
      }))
      .sort((a, b) => b.worst - a.worst || b.failed - a.failed || cmp(a.k, b.k))
      .slice(0, 20);
    const got = records(out, 'worst-images');
    expect(got.map((r) => [r.image_id, r.failed_items, r.baselines_failing])).toEqual(
      expected.map((e) => [e.image_id, String(e.failed), String(e.baselines)]),
    );
    expect(got.every((r) => r.failing_baselines?.includes(' failed, '))).toBe(true);
  });

  it('the daily series sums every severity of the results valid at the end of each day, from the first observed day', async () => {
    const rows = records(out, 'daily-failed-items');
    const lastDay = new Date(Date.parse(asOf.slice(0, 10)) - 86_400_000).toISOString().slice(0, 10);
    expect(rows.at(-1)?.day).toBe(lastDay);
    // Monitoring began with the first run: the first day is the one whose end follows it.
    const first = await rw.w.t.pool.query<{ day: string }>(
      `select to_char(min(finished_at) at time zone 'UTC', 'YYYY-MM-DD') as day from hss.sync_scope_runs`,
    );
    expect(rows[0]?.day).toBe(first.rows[0]?.day);
    expect(rows.length).toBeLessThan(90);
    const sql = await rw.w.t.pool.query<{ day: string; severity: string | null; failed: string }>(
      `select to_char(d, 'YYYY-MM-DD') as day, b.severity, sum(b.failed_rule_num)::text as failed
         from unnest($1::date[]) d
         cross join lateral hss.image_baselines_as_of(((d + 1)::timestamp at time zone 'UTC')) b
        where b.failed_rule_num > 0
        group by d, b.severity`,
      [rows.map((r) => r.day)],
    );
    const want = new Map(sql.rows.map((r) => [`${r.day} ${r.severity}`, r.failed]));
    const totals = await rw.w.t.pool.query<{ day: string; failed: string }>(
      `select to_char(d, 'YYYY-MM-DD') as day, coalesce(sum(b.failed_rule_num), 0)::text as failed
         from unnest($1::date[]) d
         left join lateral hss.image_baselines_as_of(((d + 1)::timestamp at time zone 'UTC')) b on true
        group by d`,
      [rows.map((r) => r.day)],
    );
    const wantTotal = new Map(totals.rows.map((r) => [r.day, r.failed]));
    for (const r of rows) {
      for (const s of DAILY_SEVERITIES.filter((x) => x !== 'other')) {
        expect(r[s.toLowerCase()], `${r.day} ${s}`).toBe(want.get(`${r.day} ${s}`) ?? '0');
      }
      expect(r.total, r.day).toBe(wantTotal.get(r.day as string));
    }
  });

  it('changes and fixes in the period equal hss.image_baseline_changes', async () => {
    const from = new Date(rw.asOf.getTime() - 90 * 86_400_000);
    const q = (where: string) =>
      rw.w.t.pool.query<{ n: number }>(
        `select count(*)::int as n from hss.image_baseline_changes where changed_at > $1 and changed_at <= $2 and ${where}`,
        [from, rw.asOf],
      );
    const summary = records(out, 'changes');
    expect(summary.map((r) => r.kind)).toEqual([...CHANGE_KINDS]);
    const where: Record<string, string> = {
      appeared: `change = 'appeared'`,
      fixed: 'fixed',
      regressed: 'regressed',
      worsened: `change = 'worsened'`,
      improved: `change = 'improved'`,
      disappeared: `change = 'disappeared'`,
    };
    for (const r of summary)
      expect(r.results, r.kind).toBe(String((await q(where[r.kind as string] as string)).rows[0]?.n));
    expect(Number(summary[0]?.results)).toBeGreaterThan(0);
    const fixes = await rw.w.t.pool.query<{ image_id: string; kind: string; run_id: string }>(
      `select image_id, case when fixed then 'fixed' else 'regressed' end as kind, run_id
         from hss.image_baseline_changes
        where (fixed or regressed) and changed_at > $1 and changed_at <= $2
        order by changed_at, project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard`,
      [from, rw.asOf],
    );
    expect(
      records(out, 'fixes-and-regressions').map((r) => ({
        image_id: r.image_id,
        kind: r.kind,
        run_id: r.run_id,
      })),
    ).toEqual(fixes.rows);
  });

  it('failing rules at the instant come from the rule history, with the stored remediation', async () => {
    const sql = await rw.w.t.pool.query<{ k: string; n: string }>(
      `select concat_ws('|', check_name, check_type, standard, check_rule_id) as k,
              count(distinct (enterprise_project_id, image_type, image_id))::text as n
         from hss.image_baseline_rules_as_of($1) where scan_result = 'failed'
        group by 1`,
      [rw.asOf],
    );
    const want = new Map(sql.rows.map((r) => [r.k, r.n]));
    const rows = records(out, 'failing-rules');
    expect(rows).toHaveLength(Math.min(100, want.size));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.images_failing).toBe(
        want.get([r.check_name, r.check_type, r.standard, r.check_rule_id].join('|')),
      );
      expect(r.remediation).toMatch(/\r\n修复：运行 "sysctl -w kernel\.x=1", 然后 <b>重启<\/b> & 检查$/);
    }
  });

  it('freshness and the manifest name the run before the instant for every scope', () => {
    const runId = rw.snaps[2]!.runId;
    const rows = records(out, 'freshness');
    expect(rows.map((r) => [r.last_run_id, r.last_run_status, r.last_success_run_id])).toEqual(
      Array(4).fill([runId, 'succeeded', runId]),
    );
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.as_of).toBe(asOf);
    expect(manifest.period).toEqual({
      from: new Date(rw.asOf.getTime() - 90 * 86_400_000).toISOString(),
      to: asOf,
      days: 90,
    });
    expect(manifest.filters).toEqual({ target: null, enterprise_project: null, image_type: null });
    expect(manifest.tool_version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(manifest.runs.map((r: { last_run_id: string }) => r.last_run_id)).toEqual(Array(4).fill(runId));
    // The CLI checks the history hash chain in the report's own snapshot (src/commands/report.ts).
    expect(manifest.verify).toEqual({ intact: true, broken: 0, broken_links: [] });
    expect(manifest.csv_formula_guard).toBe('prefix-apostrophe');
  });

  it('the manifest holds the SHA-256, size and row count of every other file', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const files = readDir(out);
    files.delete('manifest.json');
    expect(manifest.files.map((f: { name: string }) => f.name).sort()).toEqual([...files.keys()]);
    for (const f of manifest.files as { name: string; bytes: number; sha256: string; rows?: number }[]) {
      const bytes = files.get(f.name) as Buffer;
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(f.bytes).toBe(bytes.length);
      if (f.name.endsWith('.csv')) expect(f.rows).toBe(csvOf(out, f.name.slice(0, -4)).length - 1);
    }
  });

  it('a second run (into an empty directory), and a run as a login in hss_reader, give byte-identical files', async () => {
    const again = newOutDir();
    mkdirSync(again); // an empty directory is taken
    expect((await runReport(rw.w.t.url, ['--out', again, `--as-of=${asOf}`])).code).toBe(0);
    expect(readDir(again)).toEqual(readDir(out));

    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    const role = `hss_test_report_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(9).toString('hex');
    try {
      await admin.query(`create role ${role} login password '${password}' in role hss_reader`);
      const url = new URL(rw.w.t.url);
      url.username = role;
      url.password = password;
      const asReader = newOutDir();
      const r = await runReport(url.toString(), ['--as-of', asOf, '--out', asReader]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(readDir(asReader)).toEqual(readDir(out));
      // The login really is a reader: the tables behind the views are closed to it.
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      const denied = await c
        .query('select 1 from hss_internal.sync_runs')
        .catch((e: { code: string }) => e.code);
      await c.end();
      expect(denied).toBe('42501');
    } finally {
      await admin.query(`drop role if exists ${role}`);
      await admin.end();
    }
  });

  it('filters narrow every table to the chosen scopes and are recorded in the manifest', async () => {
    const dir = newOutDir();
    const r = await runReport(rw.w.t.url, [
      '--as-of',
      asOf,
      '--out',
      dir,
      '--image-type',
      'local_image',
      '--days',
      '7',
    ]);
    expect(r.code).toBe(0);
    expect(records(dir, 'coverage').map((x) => x.image_type)).toEqual(['local_image', 'local_image']);
    expect(records(dir, 'worst-images').every((x) => x.image_type === 'local_image')).toBe(true);
    expect(records(dir, 'daily-failed-items').map((x) => x.day)).toEqual(
      records(out, 'daily-failed-items')
        .map((x) => x.day)
        .slice(-7),
    );
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.filters).toEqual({ target: null, enterprise_project: null, image_type: ['local_image'] });
    const local = truth.filter((t) => t.image_type === 'local_image');
    const results = records(dir, 'posture').reduce((a, x) => a + Number(x.results), 0);
    expect(results).toBe(local.length);
  });

  it('mistakes are usage errors naming the flag, and write nothing', async () => {
    const dir = newOutDir();
    const bad = await runReport(rw.w.t.url, ['--as-of', '2026-03-01', '--out', dir]);
    expect(bad.code).toBe(64);
    expect(bad.err.split('\n')[0]).toBe(
      'hss-baseline-sync report: --as-of "2026-03-01" is not an ISO 8601 instant with a zone (expected e.g. 2026-03-01T00:00:00Z or 2026-03-01T08:00:00+08:00)',
    );
    const future = await runReport(rw.w.t.url, ['--as-of', '2999-01-01T00:00:00Z', '--out', dir]);
    expect(future.code).toBe(64);
    expect(future.err).toMatch(
      /^hss-baseline-sync report: --as-of 2999-01-01T00:00:00.000Z is later than the database's clock/,
    );
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(dirname(dir))).toEqual([]);
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'x');
    const full = await runReport(rw.w.t.url, ['--as-of', asOf, '--out', dir]);
    expect(full.code).toBe(64);
    expect(full.err.split('\n')[0]).toBe(
      `hss-baseline-sync report: --out ${dir} is not empty: give a new or empty directory (a report is never mixed with other files)`,
    );
    expect(readdirSync(dirname(dir))).toEqual(['out']);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
    const noDb = await runReport('', ['--as-of', asOf, '--out', newOutDir()]);
    expect(noDb.code).toBe(78);
  });
});
