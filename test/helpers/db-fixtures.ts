/**
 * Small builders for database tests: scopes, listings, results, and snapshots of row versions.
 */

import type { ImageResultItem } from '../../src/db/writer/index.js';
import type { ResultRow } from '../../src/db/writer/results-plan.js';
import { type ImageListing, noListingExtras, type RiskConfig, type Scope } from '../../src/domain.js';
import type { TestDatabase } from './db.js';

/** Run ids and instants of the database tests. */
export const RUN1 = '00000000-0000-4000-8000-000000000001';
export const RUN2 = '00000000-0000-4000-8000-000000000002';
export const RUN3 = '00000000-0000-4000-8000-000000000003';
export const T0 = new Date('2026-01-01T00:00:00.000Z');
export const T1 = new Date('2026-01-01T01:00:00.000Z');
export const T2 = new Date('2026-01-01T02:00:00.000Z');
export const T3 = new Date('2026-01-01T03:00:00.000Z');

export function scope(overrides: Partial<Scope> = {}): Scope {
  return {
    target: 'cn-north-4/p1',
    projectId: 'p1',
    enterpriseProjectId: '0',
    imageType: 'private_image',
    ...overrides,
  };
}

export function listing(overrides: Partial<ImageListing> = {}): ImageListing {
  return {
    ...noListingExtras(),
    imageId: 'sha256:aaa',
    imageDigest: 'sha256:d-aaa',
    namespace: 'team',
    imageName: 'app',
    imageVersion: 'v1',
    instanceId: null,
    registryName: 'SWR',
    registryType: 'SwrPrivate',
    hostId: null,
    hostName: null,
    scanStatus: 'success',
    latestScanTime: Date.UTC(2026, 0, 1, 8, 0, 0, 123),
    unsafeSettingNum: 2,
    imageSize: 123_456_789,
    latestUpdateTime: Date.UTC(2025, 11, 31),
    ...overrides,
  };
}

export function risk(overrides: Partial<RiskConfig> = {}): RiskConfig {
  return {
    checkName: 'CentOS 7',
    checkType: 'CentOS 7',
    standard: 'hw_standard',
    severity: 'High',
    checkRuleNum: 20,
    failedRuleNum: 2,
    checkTypeDesc: 'CentOS 7 baseline',
    ...overrides,
  };
}

export function fetched(s: Scope, imageId: string, results: RiskConfig[]): ImageResultItem {
  return {
    scope: s,
    imageId,
    signal: {
      latestScanTime: Date.UTC(2026, 0, 1),
      imageDigest: `d-${imageId}`,
      unsafeSettingNum: 1,
      scanStatus: 'success',
    },
    outcome: 'fetched',
    source: 'ListImageRiskConfigs',
    results,
  };
}

/** Every row of a table with its physical version (xmin, ctid): equal snapshots = nothing rewritten. */
export async function tupleVersions(t: TestDatabase, table: string, orderBy: string): Promise<unknown[]> {
  const res = await t.pool.query(
    `SELECT xmin::text AS xmin, ctid::text AS ctid, * FROM ${table} ORDER BY ${orderBy}`,
  );
  return res.rows;
}

/** The history rows of the test, in a comparable shape. */
export async function historyRows(t: TestDatabase): Promise<
  (Omit<ResultRow, 'project_id' | 'enterprise_project_id' | 'image_type'> & {
    valid_from: string;
    valid_to: string | null;
    opened_run_id: string | null;
    closed_run_id: string | null;
  })[]
> {
  const res = await t.pool.query(
    `SELECT image_id, check_name, check_type, standard, severity, check_rule_num, failed_rule_num,
            check_type_desc,
            to_char(valid_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS valid_from,
            to_char(valid_to AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS valid_to,
            opened_run_id, closed_run_id
     FROM hss_internal.image_baseline_history ORDER BY version_id`,
  );
  return res.rows;
}
