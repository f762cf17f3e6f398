/**
 * The inventory phase of a scope: every page of its image list API (twice when the first pass
 * was inconsistent), recorded; then, on proof of a complete inventory only, the retirement of
 * what it no longer lists. A page is not an item: a page that failed fails the scope (after what
 * was listed is recorded), and nothing is retired.
 */
import type { Logger } from 'pino';
import { imageRefKey } from '../../db/ref-key.js';
import { type ImageListing, type Scope, scopeLabel } from '../../domain.js';
import { errorSummary } from '../../errors.js';
import type { CallOptions, HssClient } from '../../hss/types.js';
import type { Limiter } from '../limiter.js';
import {
  type Content,
  decideRetirement,
  emptyObservation,
  type InventoryObservation,
  type InventoryVerdict,
  judgeInventory,
  type StoredContent,
  shouldRepage,
} from '../plan.js';
import type { SyncStore } from '../store.js';
import type { ProgressEvent } from '../types.js';

/** Hard cap on list pages per scope: offset may not exceed 2,000,000. */
const MAX_OFFSET = 2_000_000;

export interface InventoryInput {
  client: HssClient;
  store: SyncStore;
  scope: Scope;
  runId: string;
  pageSize: number;
  /** The run's HTTP limiter. */
  limiter: Limiter;
  callOptions: CallOptions;
  /** The scope's call signal: set when the run or scope is stopping. */
  callSignal: AbortSignal;
  now(): Date;
  /** Pages still to list, as paging goes (the API board's due reading). */
  onPagesLeft(left: number): void;
  onProgress?(p: ProgressEvent): void;
  log: Logger;
}

export interface Inventory {
  refs: ImageListing[];
  verdict: InventoryVerdict;
  /** Set when a page failed: what was listed is recorded, nothing may be retired. */
  error: unknown;
}

/** Lists the scope and records what it listed and whether the listing was complete. */
export async function takeInventory(input: InventoryInput): Promise<Inventory> {
  const inv = await listAll(input);
  const verdict = judgeInventory(inv.observation);
  const at = input.now();
  await input.store.upsertImageRefs(input.scope, inv.refs, at);
  await input.store.recordScopeInventory(input.scope, input.runId, at, {
    complete: verdict.complete,
    imageCount: inv.refs.length,
  });
  return { refs: inv.refs, verdict, error: inv.error };
}

/** The inventory's own problem (incomplete), for the scope's outcome. */
export function inventoryProblems(inv: Inventory): string[] {
  return inv.verdict.complete ? [] : [`inventory incomplete: ${inv.verdict.reason}`];
}

/**
 * Retires (on proof only: a complete inventory, within the mass-retire guard) the stored contents
 * the inventory no longer lists. Returns what it retired and the reason it was blocked, if it was.
 */
export async function retireUnlisted(
  input: Pick<InventoryInput, 'store' | 'scope' | 'runId' | 'now'>,
  inv: Inventory,
  listed: readonly Content[],
  stored: ReadonlyMap<string, StoredContent>,
  guard: { maxFraction: number; allowMassRetire: boolean },
): Promise<{ contentsRetired: number; versionsClosed: number; blockedReason: string | null }> {
  const { verdict } = inv;
  const storedPresent = [...stored.entries()].filter(([, s]) => s.removedAt === null).map(([id]) => id);
  const retire = decideRetirement({
    verdict,
    storedPresent,
    listed: new Set(listed.map((c) => c.imageId)),
    maxFraction: guard.maxFraction,
    allowMassRetire: guard.allowMassRetire,
  });
  const blockedReason = verdict.complete ? retire.blockedReason : null;
  if (!verdict.complete || retire.blockedReason)
    return { contentsRetired: 0, versionsClosed: 0, blockedReason };
  const r = await input.store.retireContents(input.scope, input.runId, input.now(), {
    missingImageIds: retire.retire,
    presentRefKeys: inv.refs.map(imageRefKey),
  });
  return { ...r, blockedReason };
}

interface Listing {
  refs: ImageListing[];
  observation: InventoryObservation;
  error: unknown;
}

/**
 * Lists the scope. When the first pass is inconsistent (total_num moved, rows repeated, pages
 * came short) it pages once more: a listing that changed underneath usually reads clean the
 * second time. The second pass decides; if it is not clean either, every reference seen in
 * either pass is kept (keyed by imageRefKey, so never twice) and the inventory stays incomplete.
 */
async function listAll(input: InventoryInput): Promise<Listing> {
  const { log } = input;
  const first = await listPass(input);
  if (first.error) return first;
  const verdict = judgeInventory(first.observation);
  if (!shouldRepage(first.observation, verdict)) return first;
  log.warn({ reason: verdict.reason }, 'image list inconsistent while paging; paging the scope once more');
  const second = await listPass(input);
  if (!second.error && judgeInventory(second.observation).complete) return second;
  const union = new Map<string, ImageListing>();
  for (const row of [...first.refs, ...second.refs]) union.set(imageRefKey(row), row);
  if (second.error && !input.callSignal.aborted) {
    // The extra pass was a bonus: its failure leaves the first pass's (incomplete) verdict.
    log.warn({ err: errorSummary(second.error) }, 'second pass over the image list failed');
    return { refs: [...union.values()], observation: first.observation, error: null };
  }
  return { refs: [...union.values()], observation: second.observation, error: second.error };
}

/**
 * One pass over every page of the scope's list API. A page without total_num (optional in the
 * official models) is read by its length: the listing ends at the first page shorter than the
 * limit (or empty), and that page proves the end; the items counted stand in for total_num.
 */
async function listPass(input: InventoryInput): Promise<Listing> {
  const { client, scope, pageSize, callOptions } = input;
  const byKey = new Map<string, ImageListing>();
  const obs = emptyObservation();
  let offset = 0;
  let error: unknown = null;
  const label = scopeLabel(scope);
  try {
    for (;;) {
      const page = await input.limiter.run(() => client.listImagesPage(scope, offset, pageSize, callOptions));
      const total = page.totalNum;
      if (total !== null) {
        if (obs.firstTotal === null) obs.firstTotal = total;
        obs.lastTotal = total;
      }
      obs.rowsReceived += page.rows.length;
      obs.itemsSetAside += page.itemsReceived - page.rows.length;
      for (const row of page.rows) byKey.set(imageRefKey(row), row);
      // Paging advances by the items HSS sent, those set aside included: advancing by the rows
      // kept would read the page's last items again (and count them as duplicates).
      offset += page.itemsReceived;
      if (total === null) {
        const last = page.itemsReceived < pageSize;
        input.onPagesLeft(last ? 0 : 1);
        // No total to measure against: at least one more page until the short one.
        const expected = last ? offset : offset + pageSize;
        input.onProgress?.({ scope: label, phase: 'inventory', done: offset, total: expected });
        if (last) {
          obs.allPagesFetched = true;
          // The short page proves the end: what was counted is the whole listing.
          obs.firstTotal ??= offset;
          obs.lastTotal ??= offset;
          break;
        }
      } else {
        input.onPagesLeft(Math.ceil(Math.max(0, total - offset) / pageSize));
        input.onProgress?.({ scope: label, phase: 'inventory', done: offset, total });
        if (page.itemsReceived === 0 || offset >= total) {
          obs.allPagesFetched = offset >= total;
          break;
        }
        if (page.itemsReceived < pageSize) obs.shortPages++;
      }
      if (offset > MAX_OFFSET) {
        obs.hitOffsetCap = true;
        break;
      }
    }
  } catch (err) {
    error = err;
  }
  obs.distinctReferences = byKey.size;
  return { refs: [...byKey.values()], observation: obs, error };
}
