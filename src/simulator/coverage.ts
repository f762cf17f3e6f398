/**
 * The coverage cases the world holds besides unscanned and failed images (every state of hss.image_coverage): images
 * scanned `success` whose summaries are empty (coverage `no_results`), and images whose listing
 * contradicts their results (`inconsistent`: unsafe_setting_num 0 although items failed, or 3
 * although none did). Chosen from the successfully scanned contents by a PRNG stream of their
 * own, in counts set by shares of those contents.
 */
import type { Rng } from './prng.js';

/** What the planting reads and changes of an image content (world-gen.ts SimContent). */
interface CoverageContent {
  scanStatus: string;
  rows: unknown[];
  inconsistent: boolean;
}

/** Shares (0–1) of the successfully scanned contents of each scope; see SimulatorOptions.coverage. */
export interface CoverageShares {
  /** Scanned `success` with no results; default 0.025 (one in a 40-image scope). */
  noResults?: number;
  /** Listing unsafe_setting_num contradicting the results; default 0.025. */
  inconsistent?: number;
}

export const DEFAULT_COVERAGE_SHARES: Required<CoverageShares> = { noResults: 0.025, inconsistent: 0.025 };

/** How many of `eligible` contents a share picks: none for 0, else at least one (when any). */
export function countFor(share: number, eligible: number): number {
  if (!(share > 0) || eligible === 0) return 0;
  return Math.min(eligible, Math.max(1, Math.round(share * eligible)));
}

/**
 * Plants the cases on `contents` (the scope's contents in listing order that may be changed):
 * only successfully scanned ones with results are eligible, and no content gets both.
 */
export function plantCoverage(
  contents: readonly CoverageContent[],
  rng: Rng,
  shares: CoverageShares = {},
): void {
  const s = { ...DEFAULT_COVERAGE_SHARES, ...shares };
  const eligible = rng.shuffle(contents.filter((c) => c.scanStatus === 'success' && c.rows.length > 0));
  const empty = countFor(s.noResults, eligible.length);
  for (const c of eligible.slice(0, empty)) c.rows = [];
  const rest = eligible.slice(empty);
  for (const c of rest.slice(0, countFor(s.inconsistent, rest.length))) c.inconsistent = true;
}
