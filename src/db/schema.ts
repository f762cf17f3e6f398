/**
 * The drizzle schema of everything this product stores: the tables in the PostgreSQL schema
 * `hss_internal`, the public views in `hss`.
 * drizzle-kit generates the table migrations from this file; what it cannot express (the
 * exclusion constraint, the btree_gist extension, the views and their comments) lives in
 * hand-written custom migrations. The views are declared here with `.existing()` so queries are
 * typed but drizzle-kit leaves them alone.
 *
 * This file imports nothing but drizzle-orm: drizzle-kit loads it on its own.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** The public surface: views (and functions) only, documented in docs/sql.md. */
export const hss = pgSchema('hss');
/** Every table: the worker writes here; hss_reader cannot see it. Public tables are views in hss. */
export const hssInternal = pgSchema('hss_internal');

/** Every status a run or a scope run may have (domain `RunStatus`). */
export const RUN_STATUSES = ['running', 'succeeded', 'partial', 'failed', 'aborted'] as const;

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const count = (name: string) => integer(name).notNull().default(0);

/** The scope of a row: project, enterprise project, image type. */
const scopeColumns = () => ({
  projectId: text('project_id').notNull(),
  enterpriseProjectId: text('enterprise_project_id').notNull(),
  imageType: text('image_type').notNull(),
});
/** An image content of a scope. */
const imageColumns = () => ({ ...scopeColumns(), imageId: text('image_id').notNull() });
/** A baseline of an image's results: check name, check type, standard. */
const baselineColumns = () => ({
  checkName: text('check_name').notNull(),
  checkType: text('check_type').notNull(),
  standard: text('standard').notNull(),
});
/** A version's validity [valid_from, valid_to) and the runs that opened and closed it. */
const validityColumns = () => ({
  validFrom: tstz('valid_from').notNull(),
  validTo: tstz('valid_to'),
  openedRunId: uuid('opened_run_id'),
  closedRunId: uuid('closed_run_id'),
});

const statusCheck = (name: string, column: string) =>
  check(name, sql.raw(`${column} IN (${RUN_STATUSES.map((s) => `'${s}'`).join(', ')})`));

/**
 * The result-key hash: md5 of the 7 key columns, each prefixed by its length, as a uuid.
 * Length prefixes make the encoding injective whatever characters the strings hold (a separator
 * character could itself appear upstream). Upstream strings can be 65,534 characters, too long
 * for a btree entry, so constraints index this hash instead of the text.
 */
export const RESULT_KEY_COLUMNS = [
  'project_id',
  'enterprise_project_id',
  'image_type',
  'image_id',
  'check_name',
  'check_type',
  'standard',
] as const;

/** The result-key expression over the key columns of `alias` (none: the row itself). */
export function resultKeySql(alias?: string): string {
  const col = (c: string) => (alias ? `${alias}.${c}` : c);
  return `md5(${RESULT_KEY_COLUMNS.map((c) => `length(${col(c)})::text || ':' || ${col(c)}`).join(' || ')})::uuid`;
}

/** Counters of a scope run; a run has these plus the scope tallies. */
const scopeCounts = () => ({
  imagesListed: count('images_listed'),
  imagesDistinct: count('images_distinct'),
  imagesDue: count('images_due'),
  imagesFetched: count('images_fetched'),
  imagesNotScanned: count('images_not_scanned'),
  imagesPending: count('images_pending'),
  imagesRetired: count('images_retired'),
  versionsOpened: count('versions_opened'),
  versionsClosed: count('versions_closed'),
  apiCalls: count('api_calls'),
  throttled: count('throttled'),
  retries: count('retries'),
});

/** Counters of a run's rule drill-down (sync_runs only: a scope's drill-down may outlast its scope run). */
const ruleCounts = () => ({
  ruleImagesDue: count('rule_images_due'),
  ruleImagesFetched: count('rule_images_fetched'),
  ruleImagesPending: count('rule_images_pending'),
  ruleVersionsOpened: count('rule_versions_opened'),
  ruleVersionsClosed: count('rule_versions_closed'),
  ruleDescriptionsFetched: count('rule_descriptions_fetched'),
});

/** One row per sync run: the run ledger. */
export const syncRuns = hssInternal.table(
  'sync_runs',
  {
    runId: uuid('run_id').primaryKey(),
    startedAt: tstz('started_at').notNull(),
    finishedAt: tstz('finished_at'),
    status: text('status').notNull(),
    trigger: text('trigger').notNull(),
    worker: text('worker'),
    scopesTotal: count('scopes_total'),
    scopesSucceeded: count('scopes_succeeded'),
    scopesPartial: count('scopes_partial'),
    scopesFailed: count('scopes_failed'),
    ...scopeCounts(),
    callsByApi: jsonb('calls_by_api').notNull().default(sql`'{}'::jsonb`),
    error: text('error'),
    ...ruleCounts(),
    // Columns added after the first tables keep their place at the end (SELECT * of hss.sync_runs).
    itemsQuarantined: count('items_quarantined'),
    /** Per API: calls made, calls due, rate and catch-up time (src/sync/api-board.ts). */
    apiBacklog: jsonb('api_backlog'),
  },
  (t) => [
    statusCheck('sync_runs_status_check', 'status'),
    index('sync_runs_started_at_idx').on(t.startedAt.desc()),
  ],
);

/** One row per (run, scope): the per-scope ledger. */
export const syncScopeRuns = hssInternal.table(
  'sync_scope_runs',
  {
    runId: uuid('run_id').notNull(),
    target: text('target').notNull(),
    ...scopeColumns(),
    status: text('status').notNull(),
    startedAt: tstz('started_at').notNull(),
    finishedAt: tstz('finished_at'),
    inventoryComplete: boolean('inventory_complete'),
    ...scopeCounts(),
    callsByApi: jsonb('calls_by_api').notNull().default(sql`'{}'::jsonb`),
    etaSeconds: integer('eta_seconds'),
    error: text('error'),
    itemsQuarantined: count('items_quarantined'),
  },
  (t) => [
    primaryKey({
      name: 'sync_scope_runs_pkey',
      columns: [t.runId, t.projectId, t.enterpriseProjectId, t.imageType],
    }),
    foreignKey({ name: 'sync_scope_runs_run_id_fkey', columns: [t.runId], foreignColumns: [syncRuns.runId] })
      .onDelete('cascade')
      .onUpdate('cascade'),
    statusCheck('sync_scope_runs_status_check', 'status'),
    // The latest run of each scope (hss.scope_status, `status`).
    index('sync_scope_runs_scope_started_idx').on(
      t.projectId,
      t.enterpriseProjectId,
      t.imageType,
      t.startedAt.desc(),
    ),
  ],
);

/** What the sync knows about each scope across runs (internal). */
export const scopeState = hssInternal.table(
  'scope_state',
  {
    ...scopeColumns(),
    target: text('target').notNull(),
    lastRunId: uuid('last_run_id'),
    lastInventoryAt: tstz('last_inventory_at'),
    lastCompleteInventoryAt: tstz('last_complete_inventory_at'),
    /** The complete inventory before the last one: what a reference retired now was last seen in. */
    prevCompleteInventoryAt: tstz('prev_complete_inventory_at'),
    lastSuccessAt: tstz('last_success_at'),
    imageCount: integer('image_count'),
  },
  (t) => [
    primaryKey({ name: 'scope_state_pkey', columns: [t.projectId, t.enterpriseProjectId, t.imageType] }),
  ],
);

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
  },
  (t) => [
    primaryKey({
      name: 'image_refs_pkey',
      columns: [t.projectId, t.enterpriseProjectId, t.imageType, t.refHash],
    }),
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
    primaryKey({
      name: 'image_contents_pkey',
      columns: [t.projectId, t.enterpriseProjectId, t.imageType, t.imageId],
    }),
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
  },
  (t) => [
    check('image_baseline_history_valid_range_check', sql`valid_to IS NULL OR valid_to > valid_from`),
    uniqueIndex('image_baseline_history_open_key_idx').on(t.resultKey).where(sql`valid_to IS NULL`),
    index('image_baseline_history_open_image_idx')
      .on(t.projectId, t.enterpriseProjectId, t.imageType, t.imageId)
      .where(sql`valid_to IS NULL`),
    index('image_baseline_history_key_from_idx').on(t.resultKey, t.validFrom),
  ],
);

/** View `hss.images`: one row per image reference seen (custom migration defines it). */
export const imagesView = hss
  .view('images', {
    ...imageColumns(),
    imageDigest: text('image_digest'),
    namespace: text('namespace'),
    imageName: text('image_name'),
    imageVersion: text('image_version'),
    instanceId: text('instance_id'),
    hostId: text('host_id'),
    scanStatus: text('scan_status'),
    latestScanTime: tstz('latest_scan_time'),
    firstSeenAt: tstz('first_seen_at').notNull(),
    lastSeenAt: tstz('last_seen_at').notNull(),
    removedAt: tstz('removed_at'),
    registryName: text('registry_name'),
    registryType: text('registry_type'),
    hostName: text('host_name'),
    unsafeSettingNum: integer('unsafe_setting_num'),
    imageSize: bigint('image_size', { mode: 'number' }),
    latestUpdateTime: tstz('latest_update_time'),
  })
  .existing();

/** View `hss.image_baselines`: current results of present images (custom migration defines it). */
export const imageBaselinesView = hss
  .view('image_baselines', {
    ...imageColumns(),
    ...baselineColumns(),
    severity: text('severity'),
    checkRuleNum: integer('check_rule_num'),
    failedRuleNum: integer('failed_rule_num'),
    checkTypeDesc: text('check_type_desc'),
    firstSeenAt: tstz('first_seen_at').notNull(),
    lastVerifiedAt: tstz('last_verified_at'),
  })
  .existing();

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
  (t) => [index('result_keys_image_idx').on(t.projectId, t.enterpriseProjectId, t.imageType, t.imageId)],
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

/** The key columns of a rule result: the result key plus the rule id. */
export const RULE_RESULT_KEY_COLUMNS = [...RESULT_KEY_COLUMNS, 'check_rule_id'] as const;

/** The rule-result-key expression (hashed like resultKeySql) over the columns of `alias`. */
export function ruleResultKeySql(alias?: string): string {
  const col = (c: string) => (alias ? `${alias}.${c}` : c);
  return `md5(${RULE_RESULT_KEY_COLUMNS.map((c) => `length(${col(c)})::text || ':' || ${col(c)}`).join(' || ')})::uuid`;
}

/** The key columns of a rule description: the same text for every image. */
export const RULE_KEY_COLUMNS = ['check_name', 'check_type', 'standard', 'check_rule_id'] as const;

/** The rule-key expression (hashed like resultKeySql) over the columns of `alias`. */
export function ruleKeySql(alias?: string): string {
  const col = (c: string) => (alias ? `${alias}.${c}` : c);
  return `md5(${RULE_KEY_COLUMNS.map((c) => `length(${col(c)})::text || ':' || ${col(c)}`).join(' || ')})::uuid`;
}

/**
 * Every version of every rule result (ListImageRiskConfigRules) of an image, like
 * image_baseline_history: valid over [valid_from, valid_to), valid_to NULL = current; overlaps of
 * one rule result key are rejected by an exclusion constraint (custom migration).
 */
export const imageRuleHistory = hssInternal.table(
  'image_rule_history',
  {
    versionId: bigint('version_id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    ...imageColumns(),
    ...baselineColumns(),
    checkRuleId: text('check_rule_id').notNull(),
    checkRuleName: text('check_rule_name'),
    severity: text('severity'),
    scanResult: text('scan_result').notNull(),
    ...validityColumns(),
    ruleResultKey: uuid('rule_result_key').notNull().generatedAlwaysAs(sql.raw(ruleResultKeySql())),
    /** The rule's description key (hss_internal.rule_descriptions.rule_key). */
    ruleKey: uuid('rule_key').notNull().generatedAlwaysAs(sql.raw(ruleKeySql())),
  },
  (t) => [
    check('image_rule_history_valid_range_check', sql`valid_to IS NULL OR valid_to > valid_from`),
    uniqueIndex('image_rule_history_open_key_idx').on(t.ruleResultKey).where(sql`valid_to IS NULL`),
    // Every version of an image: its open versions (to close them) and its latest instant (floors).
    index('image_rule_history_image_idx').on(t.projectId, t.enterpriseProjectId, t.imageType, t.imageId),
    index('image_rule_history_key_from_idx').on(t.ruleResultKey, t.validFrom),
    index('image_rule_history_open_rule_idx').on(t.ruleKey).where(sql`valid_to IS NULL`),
  ],
);

/**
 * Per image content: the summary its stored rule results were fetched for (internal). The
 * drill-down refetches an image's rules when its current summaries' signature or the configured
 * HSS_RULE_DETAIL differ from what is recorded here.
 */
export const imageRuleState = hssInternal.table(
  'image_rule_state',
  {
    ...imageColumns(),
    /** md5 over the image's open summary versions when its rules were fetched. */
    summarySignature: text('summary_signature').notNull(),
    /** HSS_RULE_DETAIL of that fetch: `failed` or `all`. */
    ruleDetail: text('rule_detail').notNull(),
    ruleCount: integer('rule_count').notNull().default(0),
    fetchedAt: tstz('fetched_at').notNull(),
    runId: uuid('run_id'),
  },
  (t) => [
    primaryKey({
      name: 'image_rule_state_pkey',
      columns: [t.projectId, t.enterpriseProjectId, t.imageType, t.imageId],
    }),
    check('image_rule_state_rule_detail_check', sql`rule_detail IN ('failed', 'all')`),
  ],
);

/** One description per rule (ShowImageCheckRuleDetail): fetched once, refreshed rarely. */
export const ruleDescriptions = hssInternal.table(
  'rule_descriptions',
  {
    ...baselineColumns(),
    checkRuleId: text('check_rule_id').notNull(),
    ruleKey: uuid('rule_key').notNull().generatedAlwaysAs(sql.raw(ruleKeySql())),
    description: text('description'),
    reference: text('reference'),
    audit: text('audit'),
    remediation: text('remediation'),
    checkInfoList: jsonb('check_info_list').notNull().default(sql`'[]'::jsonb`),
    fetchedAt: tstz('fetched_at').notNull(),
  },
  (t) => [primaryKey({ name: 'rule_descriptions_pkey', columns: [t.ruleKey] })],
);
