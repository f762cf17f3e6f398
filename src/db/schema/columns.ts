/**
 * What the tables share: the two PostgreSQL schemas, column groups, the key column lists and the
 * key hashes. The SQL of the writers takes its column lists from here (src/db/writer/results-sql.ts,
 * src/db/rules/write.ts).
 */
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  check,
  customType,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** The public surface: views (and functions) only, documented in docs/sql.md. */
export const hss = pgSchema('hss');
/** Every table: the worker writes here; hss_reader cannot see it. Public tables are views in hss. */
export const hssInternal = pgSchema('hss_internal');

/** Every status a run or a scope run may have (domain `RunStatus`). */
export const RUN_STATUSES = ['running', 'succeeded', 'partial', 'failed', 'aborted'] as const;

export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
export const count = (name: string) => integer(name).notNull().default(0);

/** The key columns of an image content: its scope (project, enterprise project, image type) and id. */
export const IMAGE_KEY_COLUMNS = ['project_id', 'enterprise_project_id', 'image_type', 'image_id'] as const;
/** The key columns of a baseline of an image's results. */
export const BASELINE_KEY_COLUMNS = ['check_name', 'check_type', 'standard'] as const;
/** The key columns of a result: the image and the baseline. */
export const RESULT_KEY_COLUMNS = [...IMAGE_KEY_COLUMNS, ...BASELINE_KEY_COLUMNS] as const;
/** The key columns of a rule result: the result key plus the rule id. */
export const RULE_RESULT_KEY_COLUMNS = [...RESULT_KEY_COLUMNS, 'check_rule_id'] as const;
/** The key columns of a rule description: the same text for every image. */
export const RULE_KEY_COLUMNS = [...BASELINE_KEY_COLUMNS, 'check_rule_id'] as const;

/** The scope of a row: project, enterprise project, image type. */
export const scopeColumns = () => ({
  projectId: text('project_id').notNull(),
  enterpriseProjectId: text('enterprise_project_id').notNull(),
  imageType: text('image_type').notNull(),
});
/** An image content of a scope. */
export const imageColumns = () => ({ ...scopeColumns(), imageId: text('image_id').notNull() });
/** A baseline of an image's results: check name, check type, standard. */
export const baselineColumns = () => ({
  checkName: text('check_name').notNull(),
  checkType: text('check_type').notNull(),
  standard: text('standard').notNull(),
});
/** A version's validity [valid_from, valid_to) and the runs that opened and closed it. */
export const validityColumns = () => ({
  validFrom: tstz('valid_from').notNull(),
  validTo: tstz('valid_to'),
  openedRunId: uuid('opened_run_id'),
  closedRunId: uuid('closed_run_id'),
});

/** A SHA-256 digest (32 bytes): the tamper-evidence chain of the histories (docs/sql.md). */
export const sha256Bytes = customType<{ data: Buffer }>({ dataType: () => 'bytea' });
/**
 * A version's link in its key's hash chain (docs/sql.md, "Tamper evidence"): the chain hash of the
 * key's previous version (NULL for the first) and its own hash over the canonical form, which
 * the worker sets when it opens the version and again when it closes it.
 */
export const chainColumns = () => ({
  prevHash: sha256Bytes('prev_hash'),
  chainHash: sha256Bytes('chain_hash'),
});

/**
 * Where a history version came from (its provenance, for auditors), set when the version is opened: the HSS scan
 * time that produced it (the image's latest_scan_time; NULL when HSS gave none) and the API that
 * answered it. Neither opens a version by itself: values decide. Both are in the version's chain
 * hash (form hss-chain-v2, docs/sql.md "Tamper evidence"). Declared last in their tables.
 */
export const provenanceColumns = () => ({
  scannedAt: tstz('scanned_at'),
  sourceApi: text('source_api'),
});

/**
 * The sealed chain hash of a version being closed at `validTo` by `closedRunId` (SQL expressions):
 * hss_internal.chain_close over the version's stored open hash (migrations/0001_roles_constraints_chain.sql).
 */
export const CHAIN_CLOSE_SQL = (validTo: string, closedRunId: string, alias?: string): string =>
  `hss_internal.chain_close(${alias ? `${alias}.` : ''}chain_hash, ${validTo}, ${closedRunId})`;

/** The columns of imageColumns() in a table's extra config. */
interface ImageKeyed {
  projectId: AnyPgColumn;
  enterpriseProjectId: AnyPgColumn;
  imageType: AnyPgColumn;
  imageId: AnyPgColumn;
}

/** The key columns of an image content, for a primary key or an index. */
export const imageKey = (t: ImageKeyed) =>
  [t.projectId, t.enterpriseProjectId, t.imageType, t.imageId] as const;

/** Primary key `<table>_pkey` on the scope columns of `t`, then `rest`. */
export const scopePrimaryKey = (table: string, t: Omit<ImageKeyed, 'imageId'>, ...rest: AnyPgColumn[]) =>
  primaryKey({ name: `${table}_pkey`, columns: [t.projectId, t.enterpriseProjectId, t.imageType, ...rest] });

/** A version's range is never empty: valid_to is after valid_from. */
export const validRangeCheck = (table: string) =>
  check(`${table}_valid_range_check`, sql`valid_to IS NULL OR valid_to > valid_from`);

export const statusCheck = (name: string, column: string) =>
  check(name, sql.raw(`${column} IN (${RUN_STATUSES.map((s) => `'${s}'`).join(', ')})`));

/**
 * A key hash: md5 of the key columns of `alias` (none: the row itself), each prefixed by its
 * length, as a uuid. Length prefixes make the encoding injective whatever characters the strings
 * hold (a separator character could itself appear upstream). Upstream strings can be 65,534
 * characters, too long for a btree entry, so constraints index this hash instead of the text.
 */
function keyHashSql(columns: readonly string[], alias?: string): string {
  const col = (c: string) => (alias ? `${alias}.${c}` : c);
  return `md5(${columns.map((c) => `length(${col(c)})::text || ':' || ${col(c)}`).join(' || ')})::uuid`;
}

/** The result-key expression (RESULT_KEY_COLUMNS). */
export const resultKeySql = (alias?: string) => keyHashSql(RESULT_KEY_COLUMNS, alias);
/** The rule-result-key expression (RULE_RESULT_KEY_COLUMNS). */
export const ruleResultKeySql = (alias?: string) => keyHashSql(RULE_RESULT_KEY_COLUMNS, alias);
/** The rule-key expression (RULE_KEY_COLUMNS). */
export const ruleKeySql = (alias?: string) => keyHashSql(RULE_KEY_COLUMNS, alias);
