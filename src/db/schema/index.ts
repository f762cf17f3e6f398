/**
 * The drizzle schema of everything this product stores: the tables, in the PostgreSQL schema
 * `hss_internal`, and the schema `hss` of the public views.
 * drizzle-kit generates migrations/0000_schema.sql from these modules; what it cannot express
 * (the exclusion constraints, the btree_gist extension, roles, grants, the hash-chain functions)
 * lives in the hand-written migrations/0001_roles_constraints_chain.sql, and the views and their
 * comments in migrations/surface/, one file per view (migrations/README.md). The public
 * views are not declared here: nothing queries through drizzle, and docs/sql.md documents them.
 * npm run check:migrations compares a migrated database's columns with these definitions.
 *
 * These modules import nothing but drizzle-orm: drizzle-kit loads them on its own.
 */

export * from './budget.js';
export * from './chain.js';
export {
  BASELINE_KEY_COLUMNS,
  CHAIN_CLOSE_SQL,
  hss,
  hssInternal,
  IMAGE_KEY_COLUMNS,
  RESULT_KEY_COLUMNS,
  RULE_KEY_COLUMNS,
  RULE_RESULT_KEY_COLUMNS,
  RUN_STATUSES,
  resultKeySql,
  ruleKeySql,
  ruleResultKeySql,
} from './columns.js';
export * from './images.js';
export * from './ledger.js';
export * from './rules.js';
