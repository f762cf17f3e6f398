/** The run ledger and what the sync knows about each scope across runs. */
import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, integer, jsonb, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { count, hssInternal, scopeColumns, scopePrimaryKey, statusCheck, tstz } from './columns.js';

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
    /** What the end-of-run maintenance did (src/db/runs.ts maintenanceJson). */
    maintenance: jsonb('maintenance'),
    /** Current images per coverage state in the run's scopes at its end (src/db/coverage.ts). */
    coverage: jsonb('coverage'),
    /** The schedule of the daemon that started the run ({expression, timezone}); NULL for one-off runs. */
    schedule: jsonb('schedule'),
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
  (t) => [scopePrimaryKey('scope_state', t)],
);
