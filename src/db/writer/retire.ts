/**
 * Retirement: what a complete inventory no longer lists is marked removed and its results
 * closed. Whether retirement is allowed (retire on proof only: a complete inventory, a loss not suspiciously large) is the engine's decision, not this one's.
 */
import type { Scope } from '../../domain.js';
import type { DbHandle } from '../pool.js';
import { CHAIN_CLOSE_SQL } from '../schema/index.js';
import { inTransaction } from '../tx.js';

const scopeIs = (a: string) =>
  `${a}.project_id = $1 AND ${a}.enterprise_project_id = $2 AND ${a}.image_type = $3`;

// The present references of the scope, to tell in memory which ones the inventory no longer
// lists. An anti-join against the listed keys in SQL has a plan that depends on statistics: on a
// first sync (or with autovacuum behind) the planner believes the scope holds a few rows and
// runs it as a nested loop over every listed key per stored reference, quadratic in the scope
// (30 s for 5k x 40k). A scan of one table and a hash set have no such plan to pick.
const PRESENT_REF_COUNT = `
SELECT count(*)::int AS n FROM hss_internal.image_refs r
WHERE ${scopeIs('r')} AND r.removed_at IS NULL`;
const PRESENT_REFS = `
SELECT r.ref_key, r.ref_hash FROM hss_internal.image_refs r
WHERE ${scopeIs('r')} AND r.removed_at IS NULL`;

// A removed reference keeps, as last seen, the last complete inventory before this one (the one
// that still listed it), or its own last change if later. recordScopeInventory may already have
// stored this run's inventory as the last complete one, hence prev_complete_inventory_at.
// The references go by primary key, as one constant array: = ANY of a constant is an index probe
// per element or, in a scan, a hash lookup per row (PostgreSQL 14+), linear either way.
const RETIRE_REFS = `
UPDATE hss_internal.image_refs r
SET removed_at = $4, changed_at = $4,
    last_seen_at = least($4, greatest(r.last_seen_at, (
      SELECT CASE WHEN s.last_complete_inventory_at < $4 THEN s.last_complete_inventory_at
                  ELSE s.prev_complete_inventory_at END
      FROM hss_internal.scope_state s WHERE ${scopeIs('s')})))
WHERE ${scopeIs('r')}
  AND r.removed_at IS NULL
  AND r.ref_hash = ANY($5::uuid[])`;

// The retired contents go as = ANY of one constant array too, never as IN (SELECT unnest(...)):
// that semi-join, too, ran as a nested loop over every stored row when statistics were missing.
const RETIRE_CONTENTS = `
UPDATE hss_internal.image_contents c
SET removed_at = $4
WHERE ${scopeIs('c')}
  AND c.removed_at IS NULL
  AND c.image_id = ANY($5::text[])`;

// Closing at `at`, or just after the version opened when the clock went back (CHECK valid_to >
// valid_from); the open version is the last of its key, so this cannot overlap anything. Its chain
// hash is sealed with its end (docs/sql.md, "Tamper evidence").
const closeRetired = (history: string) => `
UPDATE ${history} h
SET valid_to = greatest($4, h.valid_from + interval '1 millisecond'), closed_run_id = $6,
  chain_hash = ${CHAIN_CLOSE_SQL("greatest($4, h.valid_from + interval '1 millisecond')", '$6::uuid', 'h')}
WHERE ${scopeIs('h')}
  AND h.valid_to IS NULL
  AND h.image_id = ANY($5::text[])`;
const CLOSE_RETIRED = closeRetired('hss_internal.image_baseline_history');

// The rule results of a retired content close with its summaries. Its rule state goes too: when
// the content comes back its summaries reopen with the same signature, and its rules must then
// be fetched again rather than be taken as current.
const CLOSE_RETIRED_RULES = closeRetired('hss_internal.image_rule_history');

const FORGET_RETIRED_RULE_STATE = `
DELETE FROM hss_internal.image_rule_state r
WHERE ${scopeIs('r')} AND r.image_id = ANY($4::text[])`;

export interface RetireInput {
  /** image_ids of the scope whose content is gone (no present reference lists them). */
  missingImageIds: readonly string[];
  /**
   * Reference keys (imageRefKey) the complete inventory listed, already stored by upsertImageRefs;
   * every other present one is removed.
   */
  presentRefKeys: readonly string[];
}

/**
 * In one transaction: marks removed (at `at`) every present reference of `scope` whose key is not
 * in `presentRefKeys`, marks removed the contents in `missingImageIds`, and closes their open
 * versions (summaries and rules) at `at` (closed_run_id = runId). Already removed rows are left
 * alone. `versionsClosed` counts summary versions.
 */
export async function retireContents(
  h: DbHandle,
  scope: Scope,
  runId: string,
  at: Date,
  input: RetireInput,
): Promise<{ refsRetired: number; contentsRetired: number; versionsClosed: number }> {
  const base = [scope.projectId, scope.enterpriseProjectId, scope.imageType, at];
  return inTransaction(h, { op: 'retireContents' }, async (client) => {
    const listed = new Set(input.presentRefKeys);
    // Every listed key is stored and present (upserted first): when the scope holds no more
    // present references than that, none is gone, and the keys need not be read (a first sync,
    // an unchanged one).
    const present = await client.query<{ n: number }>(PRESENT_REF_COUNT, base.slice(0, 3));
    let gone: string[] = [];
    if (present.rows[0]!.n > listed.size) {
      const stored = await client.query<{ ref_key: string; ref_hash: string }>(
        PRESENT_REFS,
        base.slice(0, 3),
      );
      gone = stored.rows.filter((r) => !listed.has(r.ref_key)).map((r) => r.ref_hash);
    }
    const refsRetired =
      gone.length === 0 ? 0 : ((await client.query(RETIRE_REFS, [...base, gone])).rowCount ?? 0);
    const missing = [...new Set(input.missingImageIds)];
    if (missing.length === 0) return { refsRetired, contentsRetired: 0, versionsClosed: 0 };
    const contents = await client.query(RETIRE_CONTENTS, [...base, missing]);
    const versions = await client.query(CLOSE_RETIRED, [...base, missing, runId]);
    await client.query(CLOSE_RETIRED_RULES, [...base, missing, runId]);
    await client.query(FORGET_RETIRED_RULE_STATE, [
      scope.projectId,
      scope.enterpriseProjectId,
      scope.imageType,
      missing,
    ]);
    return {
      refsRetired,
      contentsRetired: contents.rowCount ?? 0,
      versionsClosed: versions.rowCount ?? 0,
    };
  });
}
