/**
 * `report` refuses what would hide a gap, through the real CLI over a real database: a broken
 * history hash chain (exit 2, nothing written, unless --allow-broken, which marks the broken
 * links on the page and in the manifest), an instant before any run or filters that match no
 * scope (exit 66), an unknown image type (exit 64, with a suggestion), a login without hss_reader
 * (exit 78, one line); and it keeps the microseconds of --as-of.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cmdReport } from '../../src/report/command.js';
import { captureIo } from '../helpers/capture-io.js';
import { newOutDir, type ReportWorld, runReport, startReportWorld } from '../helpers/report-world.js';

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
/** Nothing was written: DIR absent and nothing beside it. */
const nothingWritten = (dir: string) => {
  expect(existsSync(dir)).toBe(false);
  expect(readdirSync(dirname(dir))).toEqual([]);
};

describe('report refuses to hide a gap', () => {
  let rw: ReportWorld;
  let asOf: string;

  beforeAll(async () => {
    rw = await startReportWorld({ imagesPerScope: 4 });
    asOf = rw.asOf.toISOString();
  });

  afterAll(async () => {
    await rw?.close();
  });

  it('a broken chain (injected verifier): exit 2 and nothing written; with --allow-broken a banner and the links', async () => {
    const link = {
      history: 'baseline',
      kind: 'altered',
      key: {
        project_id: 'p',
        enterprise_project_id: '0',
        image_type: 'local_image',
        image_id: 'sha256:\u202eevil',
      },
      version_id: '42',
      valid_from: '2026-01-02T03:04:05.123456Z',
    };
    const verifier = async () => ({ intact: false, broken: 2, links: [link, { ...link, version_id: '43' }] });
    const refused = newOutDir();
    const cap = captureIo({ DATABASE_URL: rw.w.t.url });
    expect(await cmdReport(cap.io, ['--as-of', asOf, '--out', refused], { verifier })).toBe(2);
    nothingWritten(refused);
    expect(cap.out()).toBe('');
    expect(cap.err()).toBe(
      'hss-baseline-sync report: the history hash chain is broken (2 links: baseline project_id="p" enterprise_project_id="0" image_type="local_image" image_id="sha256:\\u202eevil" version 42 (altered); baseline project_id="p" enterprise_project_id="0" image_type="local_image" image_id="sha256:\\u202eevil" version 43 (altered)): the evidence may have been altered, so nothing was written; `hss-baseline-sync verify` names every broken link; --allow-broken writes the report with them marked\n',
    );

    const dir = newOutDir();
    const cap2 = captureIo({ DATABASE_URL: rw.w.t.url });
    expect(await cmdReport(cap2.io, ['--as-of', asOf, '--out', dir, '--allow-broken'], { verifier })).toBe(0);
    expect(cap2.err()).toMatch(
      /^warning: the history hash chain is broken \(2 links: baseline .* version 42 \(altered\);/,
    );
    expect(manifestOf(dir).verify).toEqual({
      intact: false,
      broken: 2,
      broken_links: [link, { ...link, version_id: '43' }],
    });
    const page = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(page).toContain('<dd data-meta="history chain">broken (2 links)</dd>');
    // The banner comes before every table, names each link, and shows the bidi control inert.
    const banner = page.indexOf('data-banner="broken-chain"');
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(page.indexOf('data-table='));
    expect(page).toContain('The history hash chain is broken: 2 links.');
    expect(page).toContain(
      '<tr><td>baseline</td><td>altered</td><td>project_id=p enterprise_project_id=0 image_type=local_image image_id=sha256:\\u202eevil</td><td>42</td><td>2026-01-02T03:04:05.123456Z</td></tr>',
    );
    expect(page).not.toContain('\u202e');
  });

  it('through the CLI, a version altered after the fact: exit 2; with --allow-broken its key and version are named', async () => {
    const pool = rw.w.t.pool;
    const { rows } = await pool.query<{ version_id: string; image_id: string }>(
      `select version_id::text, image_id from hss_internal.image_baseline_history order by version_id limit 1`,
    );
    const v = rows[0]!;
    await pool.query(
      `update hss_internal.image_baseline_history set failed_rule_num = failed_rule_num + 1 where version_id = $1`,
      [v.version_id],
    );
    try {
      const dir = newOutDir();
      const r = await runReport(rw.w.t.url, ['--as-of', asOf, '--out', dir]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        new RegExp(
          `^hss-baseline-sync report: the history hash chain is broken \\(1 link: baseline .*image_id="${v.image_id}".* version ${v.version_id} \\(altered\\)\\): `,
        ),
      );
      nothingWritten(dir);
      const r2 = await runReport(rw.w.t.url, ['--as-of', asOf, '--out', dir, '--allow-broken']);
      expect(r2.code).toBe(0);
      const verify = manifestOf(dir).verify;
      expect(verify.intact).toBe(false);
      expect(verify.broken).toBe(1);
      expect(verify.broken_links).toHaveLength(1);
      expect(verify.broken_links[0]).toMatchObject({
        history: 'baseline',
        kind: 'altered',
        version_id: v.version_id,
      });
      expect(verify.broken_links[0].key.image_id).toBe(v.image_id);
      const page = readFileSync(join(dir, 'index.html'), 'utf8');
      expect(page).toContain(`<td>${v.version_id}</td>`);
      expect(page).toContain('The history hash chain is broken: 1 link.');
    } finally {
      await pool.query(
        `update hss_internal.image_baseline_history set failed_rule_num = failed_rule_num - 1 where version_id = $1`,
        [v.version_id],
      );
    }
  });

  it('an intact chain has no banner', async () => {
    const dir = newOutDir();
    expect((await runReport(rw.w.t.url, ['--as-of', asOf, '--out', dir])).code).toBe(0);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).not.toContain('data-banner');
  });

  it('nothing to report (before the first run, filters matching no scope): exit 66, one line, nothing written', async () => {
    const first = await rw.w.t.pool.query<{ at: Date }>(
      `select min(finished_at) as at from hss.sync_scope_runs`,
    );
    const cases: [string[], string][] = [
      [
        ['--as-of', '2000-01-01T00:00:00Z'],
        `no scope had finished a run by --as-of 2000-01-01T00:00:00.000Z: there is no evidence of that instant (the first run finished at ${first.rows[0]!.at.toISOString()})`,
      ],
      [
        ['--as-of', asOf, '--target', 'nope'],
        '--target nope match no scope with a run finished by --as-of ' +
          `${asOf} (scopes then: targets cn-north-4/proj-hist; enterprise projects 0, ep-2; image types local_image, private_image)`,
      ],
      [
        ['--as-of', asOf, '--enterprise-project', 'ep-9', '--image-type', 'cicd'],
        '--enterprise-project ep-9 --image-type cicd match no scope with a run finished by --as-of ' +
          `${asOf} (scopes then: targets cn-north-4/proj-hist; enterprise projects 0, ep-2; image types local_image, private_image)`,
      ],
    ];
    for (const [args, line] of cases) {
      const dir = newOutDir();
      const r = await runReport(rw.w.t.url, [...args, '--out', dir]);
      expect(r.err, args.join(' ')).toBe(`hss-baseline-sync report: ${line}\n`);
      expect(r.code).toBe(66);
      expect(r.out).toBe('');
      nothingWritten(dir);
    }
  });

  it('an unknown image type is a usage error with a suggestion (exit 64)', async () => {
    const dir = newOutDir();
    const r = await runReport(rw.w.t.url, ['--as-of', asOf, '--out', dir, '--image-type', 'privat_image']);
    expect(r.code).toBe(64);
    expect(r.err.split('\n')[0]).toBe(
      'hss-baseline-sync report: --image-type "privat_image" is not an image type (did you mean private_image?); known: private_image, shared_image, local_image, instance_image, registry, local, cicd',
    );
    nothingWritten(dir);
  });

  it('--as-of keeps its microseconds: a run that finished at that very microsecond counts', async () => {
    // The injected clock ticks in milliseconds: give the last scope run a finish with microseconds.
    const { rows } = await rw.w.t.pool.query<{ at: string; run_id: string }>(
      `update hss_internal.sync_scope_runs r set finished_at = r.finished_at + interval '345 microseconds'
         from (select run_id, project_id, enterprise_project_id, image_type from hss_internal.sync_scope_runs
                order by finished_at desc, run_id desc limit 1) l
        where (r.run_id, r.project_id, r.enterprise_project_id, r.image_type)
            = (l.run_id, l.project_id, l.enterprise_project_id, l.image_type)
       returning to_char(r.finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, r.run_id::text,
                 r.enterprise_project_id, r.image_type`,
    );
    const { at, run_id, enterprise_project_id, image_type } = rows[0] as (typeof rows)[0] & {
      enterprise_project_id: string;
      image_type: string;
    };
    // Cut to milliseconds, the instant would fall before the run finished.
    expect(at.slice(-4, -1)).not.toBe('000');
    const dir = newOutDir();
    const r = await runReport(rw.w.t.url, ['--as-of', at, '--out', dir]);
    expect(r.err).toBe('');
    expect(r.out.startsWith(`report as of ${at} written to`)).toBe(true);
    const m = manifestOf(dir);
    expect(m.as_of).toBe(at);
    expect(m.period.to).toBe(at);
    expect(m.period.from.endsWith(at.slice(-8))).toBe(true);
    // That scope's evidence rests on that run (cut to milliseconds, on the run before it).
    const scope = m.runs.find(
      (x: { enterprise_project_id: string; image_type: string }) =>
        x.enterprise_project_id === enterprise_project_id && x.image_type === image_type,
    );
    expect(scope.last_run_id).toBe(run_id);
    // Instants in the tables keep their microseconds too.
    expect(scope.last_run_finished_at).toBe(at);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain(`<dd data-meta="as of">${at}</dd>`);
    // And finer than a microsecond is refused rather than rounded.
    const fine = await runReport(rw.w.t.url, ['--as-of', `${at.slice(0, -1)}5Z`, '--out', newOutDir()]);
    expect(fine.code).toBe(64);
    expect(fine.err.split('\n')[0]).toMatch(/is finer than a microsecond/);
  });

  it('a login without hss_reader gets one line naming the role (exit 78), no stack', async () => {
    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    const role = `hss_test_noreader_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(9).toString('hex');
    try {
      await admin.query(`create role ${role} login password '${password}'`);
      const url = new URL(rw.w.t.url);
      url.username = role;
      url.password = password;
      const dir = newOutDir();
      const r = await runReport(url.toString(), ['--as-of', asOf, '--out', dir]);
      expect(r.err).toBe(
        `hss-baseline-sync report: permission denied for schema hss: report needs a login granted hss_reader: as a superuser or a role with CREATEROLE, run GRANT hss_reader TO ${role} (README, "Deployment")\n`,
      );
      expect(r.code).toBe(78);
      nothingWritten(dir);
    } finally {
      await admin.query(`drop role if exists ${role}`);
      await admin.end();
    }
  });
});
