/** Image references and contents, the baseline history, its views and its daily facts. */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  baselineColumns,
  chainColumns,
  hssInternal,
  imageColumns,
  imageKey,
  provenanceColumns,
  resultKeySql,
  scopeColumns,
  scopePrimaryKey,
  tstz,
  validityColumns,
  validRangeCheck,
} from './columns.js';

/** Every image reference (tag) ever listed, keyed by its stable reference key (internal). */
export const imageRefs = hssInternal.table(
  'image_refs',
  {
    ...scopeColumns(),
    refKey: text('ref_key').notNull(),
    /** The key is hashed for the primary key: listing strings have no enforced length. */
    refHash: uuid('ref_hash').notNull().generatedAlwaysAs(sql`md5(ref_key)::uuid`),
    imageId: text('image_id').notNull(),
    imageDigest: text('image_digest'),
    namespace: text('namespace'),
    imageName: text('image_name'),
    imageVersion: text('image_version'),
    instanceId: text('instance_id'),
    registryName: text('registry_name'),
    registryType: text('registry_type'),
    hostId: text('host_id'),
    hostName: text('host_name'),
    scanStatus: text('scan_status'),
    latestScanTime: tstz('latest_scan_time'),
    unsafeSettingNum: integer('unsafe_setting_num'),
    imageSize: bigint('image_size', { mode: 'number' }),
    latestUpdateTime: tstz('latest_update_time'),
    firstSeenAt: tstz('first_seen_at').notNull(),
    /** Last time a listing changed this row (insert, update, removal, reappearance). */
    changedAt: tstz('changed_at').notNull(),
    /** Last inventory known to have listed it; frozen when the reference is removed. */
    lastSeenAt: tstz('last_seen_at').notNull(),
    removedAt: tstz('removed_at'),
    // The listing fields auditors need (scan status and time, unsafe settings), added after the first release: they keep their
    // place at the end of the table (migrations/README.md).
    /** The row's own image_type as listed (in the registry scope: the registry kind). */
    listedImageType: text('listed_image_type'),
    severityLevel: text('severity_level'),
    scanFailedDesc: text('scan_failed_desc'),
    scanFailedCode: text('scan_failed_code'),
    nonScanReason: text('non_scan_reason'),
    latestVersion: text('latest_version'),
    latestSyncTime: tstz('latest_sync_time'),
    instanceName: text('instance_name'),
    isMultipleArch: boolean('is_multiple_arch'),
    cicdName: text('cicd_name'),
    pipelineType: text('pipeline_type'),
    localImageType: text('local_image_type'),
    agentId: text('agent_id'),
    hostNum: integer('host_num'),
    /** The whole listing item as received; NULL for references last written before it was kept. */
    raw: jsonb('raw'),
  },
  (t) => [
    scopePrimaryKey('image_refs', t, t.refHash),
    // The present references of one image (its listing filters): probed per image by the
    // values-due read, one page at a time.
    index('image_refs_present_image_idx')
      .on(...imageKey(t))
      .where(sql`removed_at IS NULL`),
  ],
);

/** One row per image content (image_id) of a scope: what was fetched for it and when (internal). */
export const imageContents = hssInternal.table(
  'image_contents',
  {
    ...imageColumns(),
    fetchedScanTime: tstz('fetched_scan_time'),
    fetchedDigest: text('fetched_digest'),
    fetchedUnsafeNum: integer('fetched_unsafe_num'),
    fetchedScanStatus: text('fetched_scan_status'),
    fetchedAt: tstz('fetched_at'),
    outcome: text('outcome').notNull(),
    resultCount: integer('result_count').notNull().default(0),
    firstSeenAt: tstz('first_seen_at').notNull(),
    removedAt: tstz('removed_at'),
  },
  (t) => [
    scopePrimaryKey('image_contents', t, t.imageId),
    check('image_contents_outcome_check', sql`outcome IN ('fetched', 'not_scanned')`),
  ],
);

/**
 * Every version of every baseline result. A version is valid over [valid_from, valid_to);
 * valid_to NULL = current. Overlaps are rejected by an exclusion constraint (custom migration).
 */
export const imageBaselineHistory = hssInternal.table(
  'image_baseline_history',
  {
    versionId: bigint('version_id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    ...imageColumns(),
    ...baselineColumns(),
    severity: text('severity'),
    checkRuleNum: integer('check_rule_num'),
    failedRuleNum: integer('failed_rule_num'),
    checkTypeDesc: text('check_type_desc'),
    ...validityColumns(),
    resultKey: uuid('result_key').notNull().generatedAlwaysAs(sql.raw(resultKeySql())),
    ...chainColumns(),
    ...provenanceColumns(),
  },
  (t) => [
    validRangeCheck('image_baseline_history'),
    uniqueIndex('image_baseline_history_open_key_idx').on(t.resultKey).where(sql`valid_to IS NULL`),
    index('image_baseline_history_open_image_idx')
      .on(...imageKey(t))
      .where(sql`valid_to IS NULL`),
    index('image_baseline_history_key_from_idx').on(t.resultKey, t.validFrom),
  ],
);

/**
 * Every result key ever seen, once (internal): the key dimension of the daily facts, so a fact
 * row carries a 16-byte hash instead of the 7 key strings. Filled by the daily-facts refresh.
 */
export const resultKeys = hssInternal.table(
  'result_keys',
  {
    resultKey: uuid('result_key').primaryKey(),
    ...imageColumns(),
    ...baselineColumns(),
  },
  (t) => [index('result_keys_image_idx').on(...imageKey(t))],
);

/**
 * Daily facts (internal; read them through the view hss.image_baseline_daily): per UTC day and
 * result key current at the end of that day (for today: now), the version in force, its values
 * and when they were last confirmed. Dense: days without a run are carried forward from history.
 * Columns are ordered widest-aligned first to keep the row small (one row per key and day).
 */
export const imageBaselineDailyFacts = hssInternal.table(
  'image_baseline_daily_facts',
  {
    versionId: bigint('version_id', { mode: 'number' }).notNull(),
    observedAt: tstz('observed_at').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    checkRuleNum: integer('check_rule_num'),
    failedRuleNum: integer('failed_rule_num'),
    resultKey: uuid('result_key').notNull(),
    severity: text('severity'),
  },
  (t) => [
    primaryKey({ name: 'image_baseline_daily_facts_pkey', columns: [t.day, t.resultKey] }),
    index('image_baseline_daily_facts_key_day_idx').on(t.resultKey, t.day),
  ],
);

/**
 * Daily posture (internal; read it through the view hss.posture_daily): the daily facts summed
 * per day and group (project, enterprise project, image type, baseline, standard, severity), so
 * trends over months read hundreds of rows a day instead of one per result. group_key hashes the
 * group columns (severity may be NULL, so it cannot be part of a primary key itself).
 */
export const postureDailyFacts = hssInternal.table(
  'posture_daily_facts',
  {
    day: date('day', { mode: 'string' }).notNull(),
    groupKey: uuid('group_key').notNull(),
    images: integer('images').notNull(),
    imagesFailing: integer('images_failing').notNull(),
    failedItems: bigint('failed_items', { mode: 'number' }).notNull(),
    checkItems: bigint('check_items', { mode: 'number' }).notNull(),
    ...scopeColumns(),
    ...baselineColumns(),
    severity: text('severity'),
  },
  (t) => [primaryKey({ name: 'posture_daily_facts_pkey', columns: [t.day, t.groupKey] })],
);
