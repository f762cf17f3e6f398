/** The anchors of the histories' hash chains (docs/sql.md, "Tamper evidence"). */
import { sql } from 'drizzle-orm';
import { check, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { hssInternal, sha256Bytes, tstz } from './columns.js';

/**
 * The chain hash of the last version of a key deleted by history retention (src/db/retention.ts),
 * so the first version left still links to something known: `verify` accepts a first version
 * whose prev_hash is NULL or equals its key's anchor, and names any other as a missing version.
 */
export const historyChainAnchors = hssInternal.table(
  'history_chain_anchors',
  {
    /** `baseline` (image_baseline_history, key result_key) or `rule` (image_rule_history, key rule_result_key). */
    history: text('history').notNull(),
    key: uuid('key').notNull(),
    chainHash: sha256Bytes('chain_hash').notNull(),
    /** valid_from and valid_to of the pruned version the hash belongs to. */
    validFrom: tstz('valid_from').notNull(),
    validTo: tstz('valid_to').notNull(),
    prunedAt: tstz('pruned_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'history_chain_anchors_pkey', columns: [t.history, t.key] }),
    check('history_chain_anchors_history_check', sql`history IN ('baseline', 'rule')`),
  ],
);
