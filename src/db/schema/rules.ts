/** The rule drill-down: rule result history, per-image rule state, rule descriptions. */
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
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
  ruleKeySql,
  ruleResultKeySql,
  scopePrimaryKey,
  tstz,
  validityColumns,
  validRangeCheck,
} from './columns.js';

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
    ...chainColumns(),
    ...provenanceColumns(),
  },
  (t) => [
    validRangeCheck('image_rule_history'),
    uniqueIndex('image_rule_history_open_key_idx').on(t.ruleResultKey).where(sql`valid_to IS NULL`),
    // Every version of an image: its open versions (to close them) and its latest instant (floors).
    index('image_rule_history_image_idx').on(...imageKey(t)),
    index('image_rule_history_key_from_idx').on(t.ruleResultKey, t.validFrom),
    index('image_rule_history_open_rule_idx').on(t.ruleKey).where(sql`valid_to IS NULL`),
    // The open failed rules of a scope in key order: the values-due read pages through it.
    index('image_rule_history_open_failed_idx')
      .on(...imageKey(t), t.checkName, t.checkType, t.standard, t.checkRuleId)
      .where(sql`valid_to IS NULL AND scan_result = 'failed'`),
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
    scopePrimaryKey('image_rule_state', t, t.imageId),
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

/**
 * Per image and failed rule: the current values ShowImageCheckRuleDetail answered for that image
 * (check_info_list[].current_value). Descriptions stay once per rule in rule_descriptions.
 * Replaced whenever the rule result's version in force is newer than the values.
 */
export const imageRuleValues = hssInternal.table(
  'image_rule_values',
  {
    ...imageColumns(),
    ...baselineColumns(),
    checkRuleId: text('check_rule_id').notNull(),
    ruleResultKey: uuid('rule_result_key').notNull().generatedAlwaysAs(sql.raw(ruleResultKeySql())),
    /** The rule's description key (hss_internal.rule_descriptions.rule_key). */
    ruleKey: uuid('rule_key').notNull().generatedAlwaysAs(sql.raw(ruleKeySql())),
    checkInfoList: jsonb('check_info_list').notNull().default(sql`'[]'::jsonb`),
    /** The rule result version (image_rule_history.version_id) open when the values were fetched. */
    versionId: bigint('version_id', { mode: 'number' }),
    fetchedAt: tstz('fetched_at').notNull(),
    runId: uuid('run_id'),
  },
  (t) => [
    primaryKey({ name: 'image_rule_values_pkey', columns: [t.ruleResultKey] }),
    index('image_rule_values_image_idx').on(...imageKey(t)),
  ],
);
