import { describe, expect, it } from 'vitest';
import { loadContentStates, retireContents, writeImageResults } from '../../src/db/writer/index.js';
import { DbError } from '../../src/errors.js';
import { useTestDatabase } from '../helpers/db.js';
import {
  fetched,
  historyRows,
  RUN1,
  RUN2,
  RUN3,
  risk,
  scope,
  T0,
  T1,
  T2,
  tupleVersions,
} from '../helpers/db-fixtures.js';

const iso = (d: Date) => d.toISOString().replace('Z', '000Z');

const t = useTestDatabase();

async function rowsOf(projectId: string) {
  return (await historyRows(t)).filter((r) => r.image_id.startsWith(`${projectId}:`));
}

describe('writeImageResults', () => {
  it('opens one version per result on the first write', async () => {
    const s = scope({ projectId: 'first' });
    const out = await writeImageResults(t.handle, RUN1, T0, [
      fetched(s, 'first:a', [risk(), risk({ standard: 'cn_standard', severity: 'Low' })]),
      fetched(s, 'first:b', [risk({ checkName: 'Windows', checkType: 'Windows Server 2019 R2' })]),
    ]);
    expect(out).toEqual({ versionsOpened: 3, versionsClosed: 0 });
    const base = { valid_from: iso(T0), valid_to: null, opened_run_id: RUN1, closed_run_id: null };
    expect(await rowsOf('first')).toEqual([
      { image_id: 'first:a', ...row(risk()), ...base },
      { image_id: 'first:a', ...row(risk({ standard: 'cn_standard', severity: 'Low' })), ...base },
      {
        image_id: 'first:b',
        ...row(risk({ checkName: 'Windows', checkType: 'Windows Server 2019 R2' })),
        ...base,
      },
    ]);
    const contents = await t.pool.query(
      `SELECT image_id, outcome, result_count, fetched_at, fetched_digest, removed_at
       FROM hss_internal.image_contents WHERE project_id = 'first' ORDER BY image_id`,
    );
    expect(contents.rows).toEqual([
      {
        image_id: 'first:a',
        outcome: 'fetched',
        result_count: 2,
        fetched_at: T0,
        fetched_digest: 'd-first:a',
        removed_at: null,
      },
      {
        image_id: 'first:b',
        outcome: 'fetched',
        result_count: 1,
        fetched_at: T0,
        fetched_digest: 'd-first:b',
        removed_at: null,
      },
    ]);
    // The API a result came from is recorded per history version (source_api), beside the scan
    // time that produced it, not on the content.
    const provenance = await t.pool.query(
      `SELECT image_id, standard, source_api, scanned_at FROM hss_internal.image_baseline_history
       WHERE project_id = 'first' ORDER BY image_id, standard`,
    );
    const scannedAt = new Date(Date.UTC(2026, 0, 1));
    expect(provenance.rows).toEqual([
      {
        image_id: 'first:a',
        standard: 'cn_standard',
        source_api: 'ListImageRiskConfigs',
        scanned_at: scannedAt,
      },
      {
        image_id: 'first:a',
        standard: 'hw_standard',
        source_api: 'ListImageRiskConfigs',
        scanned_at: scannedAt,
      },
      {
        image_id: 'first:b',
        standard: 'hw_standard',
        source_api: 'ListImageRiskConfigs',
        scanned_at: scannedAt,
      },
    ]);
  });

  it('writes no history tuple when the same results are written again', async () => {
    const s = scope({ projectId: 'same' });
    const items = [
      fetched(s, 'same:a', [risk(), risk({ standard: 'cn_standard' })]),
      fetched(s, 'same:b', [
        risk({ severity: null, checkRuleNum: null, failedRuleNum: null, checkTypeDesc: null }),
      ]),
    ];
    await writeImageResults(t.handle, RUN1, T0, items);
    const history = await tupleVersions(t, 'hss_internal.image_baseline_history', 'version_id');

    const out = await writeImageResults(t.handle, RUN2, T1, items);

    expect(out).toEqual({ versionsOpened: 0, versionsClosed: 0 });
    expect(await tupleVersions(t, 'hss_internal.image_baseline_history', 'version_id')).toEqual(history);
    // The contents row records the refetch: that is its job.
    const contents = await t.pool.query(
      `SELECT image_id, fetched_at FROM hss_internal.image_contents WHERE project_id = 'same' ORDER BY image_id`,
    );
    expect(contents.rows).toEqual([
      { image_id: 'same:a', fetched_at: T1 },
      { image_id: 'same:b', fetched_at: T1 },
    ]);
  });

  it('closes the old version and opens the new one at the same instant when a value changes', async () => {
    const s = scope({ projectId: 'chg' });
    await writeImageResults(t.handle, RUN1, T0, [
      fetched(s, 'chg:a', [risk(), risk({ standard: 'cn_standard' })]),
    ]);

    const out = await writeImageResults(t.handle, RUN2, T1, [
      fetched(s, 'chg:a', [risk({ failedRuleNum: 3 }), risk({ standard: 'cn_standard' })]),
    ]);

    expect(out).toEqual({ versionsOpened: 1, versionsClosed: 1 });
    expect(await rowsOf('chg')).toEqual([
      {
        image_id: 'chg:a',
        ...row(risk()),
        valid_from: iso(T0),
        valid_to: iso(T1),
        opened_run_id: RUN1,
        closed_run_id: RUN2,
      },
      {
        image_id: 'chg:a',
        ...row(risk({ standard: 'cn_standard' })),
        valid_from: iso(T0),
        valid_to: null,
        opened_run_id: RUN1,
        closed_run_id: null,
      },
      {
        image_id: 'chg:a',
        ...row(risk({ failedRuleNum: 3 })),
        valid_from: iso(T1),
        valid_to: null,
        opened_run_id: RUN2,
        closed_run_id: null,
      },
    ]);
  });

  it('treats a change between NULL and a value as a change', async () => {
    const s = scope({ projectId: 'nul' });
    await writeImageResults(t.handle, RUN1, T0, [fetched(s, 'nul:a', [risk({ severity: null })])]);
    const out = await writeImageResults(t.handle, RUN2, T1, [
      fetched(s, 'nul:a', [risk({ severity: 'Low' })]),
    ]);
    expect(out).toEqual({ versionsOpened: 1, versionsClosed: 1 });
    const again = await writeImageResults(t.handle, RUN3, T2, [
      fetched(s, 'nul:a', [risk({ severity: 'Low' })]),
    ]);
    expect(again).toEqual({ versionsOpened: 0, versionsClosed: 0 });
  });

  it('closes the versions of results that are gone, including all of an image that now has none', async () => {
    const s = scope({ projectId: 'gone' });
    await writeImageResults(t.handle, RUN1, T0, [
      fetched(s, 'gone:a', [risk(), risk({ standard: 'cn_standard' })]),
      fetched(s, 'gone:b', [risk()]),
    ]);

    const out = await writeImageResults(t.handle, RUN2, T1, [
      fetched(s, 'gone:a', [risk()]),
      fetched(s, 'gone:b', []),
    ]);

    expect(out).toEqual({ versionsOpened: 0, versionsClosed: 2 });
    const rows = await rowsOf('gone');
    expect(rows.map((r) => [r.image_id, r.standard, r.valid_to, r.closed_run_id])).toEqual([
      ['gone:a', 'hw_standard', null, null],
      ['gone:a', 'cn_standard', iso(T1), RUN2],
      ['gone:b', 'hw_standard', iso(T1), RUN2],
    ]);
    const counts = await t.pool.query(
      `SELECT image_id, result_count FROM hss_internal.image_contents WHERE project_id = 'gone' ORDER BY 1`,
    );
    expect(counts.rows).toEqual([
      { image_id: 'gone:a', result_count: 1 },
      { image_id: 'gone:b', result_count: 0 },
    ]);
  });

  it('reopens a result that comes back, leaving no overlap with its closed version', async () => {
    const s = scope({ projectId: 'back' });
    await writeImageResults(t.handle, RUN1, T0, [fetched(s, 'back:a', [risk()])]);
    await writeImageResults(t.handle, RUN2, T1, [fetched(s, 'back:a', [])]);
    const out = await writeImageResults(t.handle, RUN3, T2, [fetched(s, 'back:a', [risk()])]);
    expect(out).toEqual({ versionsOpened: 1, versionsClosed: 0 });
    expect((await rowsOf('back')).map((r) => [r.valid_from, r.valid_to])).toEqual([
      [iso(T0), iso(T1)],
      [iso(T2), null],
    ]);
  });

  it('keeps history ordered when the clock goes back or stands still', async () => {
    const s = scope({ projectId: 'clk' });
    await writeImageResults(t.handle, RUN1, T1, [fetched(s, 'clk:a', [risk()])]);
    // Same instant, new value: the old version cannot close at its own valid_from.
    const same = await writeImageResults(t.handle, RUN2, T1, [
      fetched(s, 'clk:a', [risk({ failedRuleNum: 5 })]),
    ]);
    expect(same).toEqual({ versionsOpened: 1, versionsClosed: 1 });
    // Clock went back an hour: versions still follow each other.
    const back = await writeImageResults(t.handle, RUN3, T0, [
      fetched(s, 'clk:a', [risk({ failedRuleNum: 6 })]),
    ]);
    expect(back).toEqual({ versionsOpened: 1, versionsClosed: 1 });
    expect((await rowsOf('clk')).map((r) => [r.failed_rule_num, r.valid_from, r.valid_to])).toEqual([
      [2, '2026-01-01T01:00:00.000000Z', '2026-01-01T01:00:00.001000Z'],
      [5, '2026-01-01T01:00:00.001000Z', '2026-01-01T01:00:00.002000Z'],
      [6, '2026-01-01T01:00:00.002000Z', null],
    ]);
  });

  it('reopens a result that comes back while the clock is behind the end of its closed version', async () => {
    const s = scope({ projectId: 'reback' });
    const a = risk();
    const b = risk({ standard: 'cn_standard' });
    await writeImageResults(t.handle, RUN1, T1, [fetched(s, 'reback:a', [a, b])]);
    await writeImageResults(t.handle, RUN2, T2, [fetched(s, 'reback:a', [b])]);
    // The clock went back to T0: `a` reopens and `b` changes at the end of a's closed version,
    // T2, not just after b's open version began (that would overlap a's [T1, T2)).
    const out = await writeImageResults(t.handle, RUN3, T0, [
      fetched(s, 'reback:a', [a, risk({ standard: 'cn_standard', failedRuleNum: 9 })]),
    ]);
    expect(out).toEqual({ versionsOpened: 2, versionsClosed: 1 });
    expect(
      (await rowsOf('reback')).map((r) => [
        r.standard,
        r.failed_rule_num,
        r.valid_from,
        r.valid_to,
        r.closed_run_id,
      ]),
    ).toEqual([
      ['hw_standard', 2, iso(T1), iso(T2), RUN2],
      ['cn_standard', 2, iso(T1), iso(T2), RUN3],
      ['hw_standard', 2, iso(T2), null, null],
      ['cn_standard', 9, iso(T2), null, null],
    ]);
  });

  it('records not_scanned images in image_contents only', async () => {
    const s = scope({ projectId: 'ns' });
    await writeImageResults(t.handle, RUN1, T0, [fetched(s, 'ns:a', [risk()])]);
    const history = await tupleVersions(t, 'hss_internal.image_baseline_history', 'version_id');

    const out = await writeImageResults(t.handle, RUN2, T1, [
      { ...fetched(s, 'ns:a', [risk({ failedRuleNum: 9 })]), outcome: 'not_scanned' },
      { ...fetched(s, 'ns:b', []), outcome: 'not_scanned' },
    ]);

    expect(out).toEqual({ versionsOpened: 0, versionsClosed: 0 });
    expect(await tupleVersions(t, 'hss_internal.image_baseline_history', 'version_id')).toEqual(history);
    const contents = await t.pool.query(
      `SELECT image_id, outcome, result_count, fetched_at FROM hss_internal.image_contents WHERE project_id = 'ns' ORDER BY 1`,
    );
    expect(contents.rows).toEqual([
      { image_id: 'ns:a', outcome: 'not_scanned', result_count: 1, fetched_at: T1 },
      { image_id: 'ns:b', outcome: 'not_scanned', result_count: 0, fetched_at: T1 },
    ]);
  });

  it('keeps the last of duplicate images and duplicate result keys in one batch', async () => {
    const s = scope({ projectId: 'dup' });
    const out = await writeImageResults(t.handle, RUN1, T0, [
      fetched(s, 'dup:a', [risk({ failedRuleNum: 1 })]),
      fetched(s, 'dup:a', [risk({ failedRuleNum: 7 }), risk({ failedRuleNum: 8 })]),
    ]);
    expect(out).toEqual({ versionsOpened: 1, versionsClosed: 0 });
    expect((await rowsOf('dup')).map((r) => r.failed_rule_num)).toEqual([8]);
  });

  it('writes a batch whole or not at all', async () => {
    const s = scope({ projectId: 'whole' });
    await writeImageResults(t.handle, RUN1, T0, [fetched(s, 'whole:a', [risk()])]);
    const history = await tupleVersions(t, 'hss_internal.image_baseline_history', 'version_id');
    const contents = await tupleVersions(t, 'hss_internal.image_contents', 'project_id, image_id');

    // The second image holds a value the integer column rejects: the first image's change must not stay.
    const write = writeImageResults(t.handle, RUN2, T1, [
      fetched(s, 'whole:a', [risk({ failedRuleNum: 4 })]),
      fetched(s, 'whole:b', [risk({ checkRuleNum: 2 ** 40 })]),
    ]);
    await expect(write).rejects.toThrow(DbError);
    await expect(write).rejects.toThrow(
      'writeImageResults failed: value "1099511627776" is out of range for type integer (SQLSTATE 22003)',
    );

    expect(await tupleVersions(t, 'hss_internal.image_baseline_history', 'version_id')).toEqual(history);
    expect(await tupleVersions(t, 'hss_internal.image_contents', 'project_id, image_id')).toEqual(contents);
  });

  it('stores hostile strings exactly as key fields', async () => {
    const s = scope({ projectId: 'hostile' });
    const long = 'x'.repeat(65_533);
    const hostile = [
      risk({ checkName: `${long}a`, checkTypeDesc: `${long}a` }),
      risk({ checkName: `${long}b` }),
      risk({ checkName: '中文基线检查', checkType: '等保三级', checkTypeDesc: '描述：中文' }),
      risk({ checkName: 'emoji 🐳🔒', checkType: '👩‍💻' }),
      risk({ checkName: 'line1\nline2\r\n\ttab', standard: '' }),
      risk({ checkName: '', checkType: '', standard: '' }),
      risk({ checkName: 'quote \' " \\ %s $1 --', checkType: 'a:b' }),
      risk({ checkName: '3:abcd', checkType: '' }),
      risk({ checkName: '3:ab', checkType: 'cd' }),
    ];
    const out = await writeImageResults(t.handle, RUN1, T0, [fetched(s, 'hostile:a', hostile)]);
    expect(out).toEqual({ versionsOpened: hostile.length, versionsClosed: 0 });

    const rows = await rowsOf('hostile');
    expect(rows.map((r) => [r.check_name, r.check_type, r.standard, r.check_type_desc])).toEqual(
      hostile.map((r) => [r.checkName, r.checkType, r.standard, r.checkTypeDesc]),
    );
    expect(rows[0]?.check_name.length).toBe(65_534);
    const keys = await t.pool.query(
      `SELECT count(DISTINCT result_key)::int AS n FROM hss_internal.image_baseline_history WHERE project_id = 'hostile'`,
    );
    expect(keys.rows[0].n).toBe(hostile.length);

    const again = await writeImageResults(t.handle, RUN2, T1, [fetched(s, 'hostile:a', hostile)]);
    expect(again).toEqual({ versionsOpened: 0, versionsClosed: 0 });
  });

  it('loads the stored listing signal of each content', async () => {
    const s = scope({ projectId: 'load' });
    await writeImageResults(t.handle, RUN1, T0, [
      {
        scope: s,
        imageId: 'load:a',
        signal: {
          latestScanTime: Date.UTC(2025, 5, 1, 12, 30, 45, 678),
          imageDigest: 'sha256:1',
          unsafeSettingNum: 4,
          scanStatus: 'success',
        },
        outcome: 'fetched',
        source: 'ListImageRiskConfigs',
        results: [risk()],
      },
      {
        scope: s,
        imageId: 'load:b',
        signal: { latestScanTime: null, imageDigest: null, unsafeSettingNum: null, scanStatus: 'unscan' },
        outcome: 'not_scanned',
        source: 'ListImageRiskConfigs',
        results: [],
      },
    ]);
    await writeImageResults(t.handle, RUN1, T0, [fetched(scope({ projectId: 'other' }), 'load:c', [])]);

    const states = await loadContentStates(t.handle, s);

    expect([...states.entries()].sort()).toEqual([
      [
        'load:a',
        {
          fetchedSignal: {
            latestScanTime: Date.UTC(2025, 5, 1, 12, 30, 45, 678),
            imageDigest: 'sha256:1',
            unsafeSettingNum: 4,
            scanStatus: 'success',
          },
          fetchedAt: T0,
          outcome: 'fetched',
          removedAt: null,
        },
      ],
      [
        'load:b',
        {
          fetchedSignal: {
            latestScanTime: null,
            imageDigest: null,
            unsafeSettingNum: null,
            scanStatus: 'unscan',
          },
          fetchedAt: T0,
          outcome: 'not_scanned',
          removedAt: null,
        },
      ],
    ]);
  });
});

describe('history constraints', () => {
  it('rejects a hand-inserted overlapping version with SQLSTATE 23P01', async () => {
    const s = scope({ projectId: 'excl' });
    await writeImageResults(t.handle, RUN1, T1, [fetched(s, 'excl:a', [risk()])]);
    const insert = t.pool.query(
      `INSERT INTO hss_internal.image_baseline_history
         (project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard,
          valid_from, valid_to)
       VALUES ('excl', '0', 'private_image', 'excl:a', 'CentOS 7', 'CentOS 7', 'hw_standard', $1, $2)`,
      [T0, T2],
    );
    await expect(insert).rejects.toMatchObject({
      code: '23P01',
      constraint: 'image_baseline_history_no_overlap',
    });
  });

  it('accepts a hand-inserted version that ends where the open one starts', async () => {
    const res = await t.pool.query(
      `INSERT INTO hss_internal.image_baseline_history
         (project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard,
          valid_from, valid_to)
       VALUES ('excl', '0', 'private_image', 'excl:a', 'CentOS 7', 'CentOS 7', 'hw_standard', $1, $2)`,
      [T0, T1],
    );
    expect(res.rowCount).toBe(1);
  });

  it('rejects a second open version with SQLSTATE 23505 and an empty range with 23514', async () => {
    const insert = (from: Date, to: Date | null) =>
      t.pool.query(
        `INSERT INTO hss_internal.image_baseline_history
           (project_id, enterprise_project_id, image_type, image_id, check_name, check_type, standard,
            valid_from, valid_to)
         VALUES ('excl', '0', 'private_image', 'excl:a', 'CentOS 7', 'CentOS 7', 'hw_standard', $1, $2)`,
        [from, to],
      );
    await expect(insert(T2, null)).rejects.toMatchObject({ code: '23505' });
    await expect(insert(T2, T2)).rejects.toMatchObject({ code: '23514' });
  });
});

describe('hss.image_baselines and retireContents', () => {
  it('shows exactly the open versions of present contents, with first_seen_at and last_verified_at', async () => {
    const s = scope({ projectId: 'view' });
    await writeImageResults(t.handle, RUN1, T0, [
      fetched(s, 'view:a', [risk(), risk({ standard: 'cn_standard' })]),
      fetched(s, 'view:b', [risk()]),
    ]);
    const viewA = {
      image_id: 'view:a',
      standard: 'hw_standard',
      failed_rule_num: 3,
      first_seen_at: T0,
      last_verified_at: T1,
    };
    await writeImageResults(t.handle, RUN2, T1, [
      fetched(s, 'view:a', [risk({ failedRuleNum: 3 })]),
      fetched(s, 'view:b', [risk()]),
    ]);

    expect(await baselines('view')).toEqual([
      viewA,
      {
        image_id: 'view:b',
        standard: 'hw_standard',
        failed_rule_num: 2,
        first_seen_at: T0,
        last_verified_at: T1,
      },
    ]);

    const retired = await retireContents(t.handle, s, RUN3, T2, {
      missingImageIds: ['view:b'],
      presentRefKeys: [],
    });
    expect(retired).toEqual({ refsRetired: 0, contentsRetired: 1, versionsClosed: 1 });
    expect(await baselines('view')).toEqual([viewA]);
  });

  it('closes exactly the versions of the retired contents', async () => {
    const s = scope({ projectId: 'ret' });
    const other = scope({ projectId: 'ret', imageType: 'shared_image' });
    await writeImageResults(t.handle, RUN1, T0, [
      fetched(s, 'ret:a', [risk(), risk({ standard: 'cn_standard' })]),
      fetched(s, 'ret:b', [risk()]),
      fetched(s, 'ret:c', [risk()]),
      fetched(other, 'ret:a', [risk()]),
    ]);

    const out = await retireContents(t.handle, s, RUN2, T1, {
      missingImageIds: ['ret:a', 'ret:c', 'ret:a', 'ret:unknown'],
      presentRefKeys: [],
    });

    expect(out).toEqual({ refsRetired: 0, contentsRetired: 2, versionsClosed: 3 });
    const rows = await t.pool.query(
      `SELECT image_type, image_id, standard, valid_to, closed_run_id FROM hss_internal.image_baseline_history
       WHERE project_id = 'ret' ORDER BY version_id`,
    );
    expect(rows.rows).toEqual([
      {
        image_type: 'private_image',
        image_id: 'ret:a',
        standard: 'hw_standard',
        valid_to: T1,
        closed_run_id: RUN2,
      },
      {
        image_type: 'private_image',
        image_id: 'ret:a',
        standard: 'cn_standard',
        valid_to: T1,
        closed_run_id: RUN2,
      },
      {
        image_type: 'private_image',
        image_id: 'ret:b',
        standard: 'hw_standard',
        valid_to: null,
        closed_run_id: null,
      },
      {
        image_type: 'private_image',
        image_id: 'ret:c',
        standard: 'hw_standard',
        valid_to: T1,
        closed_run_id: RUN2,
      },
      {
        image_type: 'shared_image',
        image_id: 'ret:a',
        standard: 'hw_standard',
        valid_to: null,
        closed_run_id: null,
      },
    ]);
    const states = await loadContentStates(t.handle, s);
    expect([...states].map(([id, st]) => [id, st.removedAt]).sort()).toEqual([
      ['ret:a', T1],
      ['ret:b', null],
      ['ret:c', T1],
    ]);

    // Retiring again changes nothing.
    const again = await retireContents(t.handle, s, RUN3, T2, {
      missingImageIds: ['ret:a', 'ret:c'],
      presentRefKeys: [],
    });
    expect(again).toEqual({ refsRetired: 0, contentsRetired: 0, versionsClosed: 0 });

    // A retired content that is fetched again is present again with new open versions.
    const back = await writeImageResults(t.handle, RUN3, T2, [fetched(s, 'ret:c', [risk()])]);
    expect(back).toEqual({ versionsOpened: 1, versionsClosed: 0 });
    expect((await loadContentStates(t.handle, s)).get('ret:c')?.removedAt).toBeNull();
  });
});

async function baselines(projectId: string) {
  const res = await t.pool.query(
    `SELECT image_id, standard, failed_rule_num, first_seen_at, last_verified_at
     FROM hss.image_baselines WHERE project_id = $1 ORDER BY image_id, standard DESC`,
    [projectId],
  );
  return res.rows;
}

function row(r: ReturnType<typeof risk>) {
  return {
    check_name: r.checkName,
    check_type: r.checkType,
    standard: r.standard,
    severity: r.severity,
    check_rule_num: r.checkRuleNum,
    failed_rule_num: r.failedRuleNum,
    check_type_desc: r.checkTypeDesc,
  };
}
