/**
 * The call budget HSS grants each credential per API (about 5 calls a minute), shared by every
 * process and replica that uses the credential: one row per (credential fingerprint, API) with the
 * instants of its recent calls (src/db/call-budget.ts). Never the credential itself.
 */
import { primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { hssInternal } from './columns.js';

export const apiCallBudget = hssInternal.table(
  'api_call_budget',
  {
    /** `sha256:` + hex SHA-256 of a fixed label and the credential id (src/hss/credential-key.ts). */
    credentialKey: text('credential_key').notNull(),
    api: text('api').notNull(),
    /**
     * Instants of the calls still in the window: a call's start while it is in flight, its end
     * once answered (the window is counted from the answer, as by the in-process pacer).
     */
    calls: timestamp('calls', { withTimezone: true, mode: 'string' }).array().notNull().default([]),
  },
  (t) => [primaryKey({ columns: [t.credentialKey, t.api] })],
);
