/**
 * Per-scope state across runs: when the scope was last inventoried, and last completely.
 */
import type { Scope } from '../../domain.js';
import type { DbHandle } from '../pool.js';
import { query } from '../tx.js';

// prev_complete_inventory_at remembers the complete inventory before the last one: a reference
// retired by this run was last seen there (see retire.ts).
const RECORD_INVENTORY = `
INSERT INTO hss_internal.scope_state AS s (
  project_id, enterprise_project_id, image_type, target, last_run_id, last_inventory_at,
  last_complete_inventory_at, image_count)
VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::boolean THEN $6::timestamptz END, $8)
ON CONFLICT (project_id, enterprise_project_id, image_type) DO UPDATE SET
  target = excluded.target,
  last_run_id = excluded.last_run_id,
  last_inventory_at = excluded.last_inventory_at,
  prev_complete_inventory_at = CASE
    WHEN $7::boolean AND s.last_complete_inventory_at IS DISTINCT FROM excluded.last_complete_inventory_at
      THEN s.last_complete_inventory_at
    ELSE s.prev_complete_inventory_at END,
  last_complete_inventory_at = CASE
    WHEN $7::boolean THEN excluded.last_complete_inventory_at
    ELSE s.last_complete_inventory_at END,
  image_count = excluded.image_count`;

/**
 * Records that `scope` was inventoried at `at` by `runId`: always last_inventory_at and
 * image_count, and last_complete_inventory_at only when the inventory was complete. Present
 * references' last_seen_at (view hss.images) derives from the last complete inventory, so an
 * unchanged reference needs no write of its own.
 */
export async function recordScopeInventory(
  h: DbHandle,
  scope: Scope,
  target: string,
  runId: string,
  at: Date,
  inventory: { complete: boolean; imageCount: number },
): Promise<void> {
  await query(h, 'recordScopeInventory', RECORD_INVENTORY, [
    scope.projectId,
    scope.enterpriseProjectId,
    scope.imageType,
    target,
    runId,
    at,
    inventory.complete,
    inventory.imageCount,
  ]);
}
