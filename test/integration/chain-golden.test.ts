/**
 * The hash-chain functions of the database (migrations/0001_roles_constraints_chain.sql) pinned to
 * fixed vectors: every version written since the first release must verify for ever, so a change
 * of their output is a defect whatever the reason. The vectors are those src/verify/canonical.test.ts
 * pins for verify's TypeScript: SQL and TypeScript agree on both forms, hss-chain-v1 (no scanned_at,
 * no source_api) and hss-chain-v2.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/db.js';

const RUN1 = '00000000-0000-4000-8000-000000000001';
const BASELINE_KEY = `'proj-1', '0', 'private_image', 'sha256:abc', 'CentOS 7', 'CentOS 7', 'cn_standard'`;
const BASELINE_VALUES = `'High', 40, 3, 'desc, "quoted" | 中文', '2026-03-01T08:00:00.250000Z'::timestamptz, '${RUN1}'::uuid`;
const SCANNED = `'2026-02-28T23:59:59.500000Z'::timestamptz`;

describe('the hash-chain functions (fixed vectors)', () => {
  const t = useTestDatabase();
  const hex = async (expr: string) =>
    (await t.pool.query<{ h: string }>(`SELECT encode(${expr}, 'hex') AS h`)).rows[0]!.h;
  const baseline = (prev: string, scanned: string, api: string) =>
    hex(
      `hss_internal.baseline_version_hash(${prev}, ${BASELINE_KEY}, ${BASELINE_VALUES}, ${scanned}, ${api})`,
    );

  it('baseline_version_hash: form v1 without provenance, v2 with either field', async () => {
    expect(await baseline('NULL', 'NULL', 'NULL')).toBe(
      '113a6fd606f551c76653ef22df21564c0647c1795a8ab94106912f0ae5e7d49c',
    );
    expect(await baseline('NULL', SCANNED, `'ListImageRiskConfigs'`)).toBe(
      'b27ff1e459f9bbc1539e15e473bce4598632223181cc7a7290900d165914c3b9',
    );
    expect(await baseline('NULL', 'NULL', `'ListCheckRulesInfo'`)).toBe(
      '3baff8d9e72a5c79c736322c9685eb9af0e4d1a31b8a02fca22479873ebc3b23',
    );
    expect(await baseline('NULL', SCANNED, 'NULL')).toBe(
      '9f70a53e832181c7065afa43ae5bb757aeb52eb4df979a101af8d56d7384f1a2',
    );
    // Linked to a previous version, NULL values and an empty key field.
    expect(
      await hex(`hss_internal.baseline_version_hash(decode(repeat('ab', 32), 'hex'), 'proj-1', '0',
        'private_image', 'sha256:abc', 'CentOS 7', '', 'cn_standard', NULL, NULL, 0, NULL,
        '2026-03-01T08:00:00.123456Z'::timestamptz, NULL, NULL, NULL)`),
    ).toBe('ecf201c469f76cd3f9453d795c2ffa501fbe49f128af311fe8351a343716d136');
  });

  it('rule_version_hash: form v1 and v2', async () => {
    expect(
      await hex(`hss_internal.rule_version_hash(NULL, 'p', '0', 'local_image', 'img', 'Debian 10', 'Debian 10',
        'hw_standard', 'R1', 'SSH root 🚫', 'High', 'failed', '2026-01-02T03:04:05Z'::timestamptz,
        '00000000-0000-4000-8000-000000000002'::uuid, NULL, NULL)`),
    ).toBe('0112a9091c46aa36d0d4de3ebc01638d104e81cf53c891890fd0c630b3237ba8');
    expect(
      await hex(`hss_internal.rule_version_hash(decode(repeat('00', 32), 'hex'), 'proj-1', '0', 'cicd',
        'sha256:abc', 'CentOS 7', 'CentOS 7', 'cn_standard', 'rule-1', 'Password policy', 'High', 'failed',
        '2026-03-01T08:00:00Z'::timestamptz, '00000000-0000-4000-8000-000000000002'::uuid,
        '2026-03-01T07:00:00Z'::timestamptz, 'ListCheckRulesInfo')`),
    ).toBe('4cfb7649a126937aafdceddb663a9193af366d5432d3202f84d7c503679ae774');
  });

  it('chain_close seals an open hash with the closing instant and run', async () => {
    const open = `decode(repeat('01', 32), 'hex')`;
    expect(
      await hex(`hss_internal.chain_close(${open}, '2026-03-02T00:00:00Z'::timestamptz,
        '00000000-0000-4000-8000-000000000003'::uuid)`),
    ).toBe('1736c2d083ad53a2dce73823df3407b90aaa4fe79cfdf9b75a46fba9fed97a49');
    expect(
      await hex(`hss_internal.chain_close(${open}, '2026-03-02T00:00:00.000001Z'::timestamptz, NULL)`),
    ).toBe('ac006fbec8fbd252ba68ec5d7d858f0636573b74a21462c6fdf02f3e3b50bdbd');
  });

  it('the 14-argument forms are gone: nothing calls them', async () => {
    const r = await t.pool.query<{ f: string }>(
      `SELECT p.oid::regprocedure::text AS f FROM pg_proc p
        WHERE p.pronamespace = 'hss_internal'::regnamespace AND p.proname IN ('baseline_version_hash', 'rule_version_hash')
        ORDER BY p.pronargs, 1`,
    );
    expect(r.rows.map((x) => x.f.replace(/\(.*\)/, `/${x.f.split(',').length}`))).toEqual([
      'hss_internal.baseline_version_hash/16',
      'hss_internal.rule_version_hash/16',
    ]);
  });
});
