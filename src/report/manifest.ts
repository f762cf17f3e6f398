/**
 * manifest.json: what the evidence is (instant, period, filters, tool version), what it rests on
 * (per scope the last run finished by the instant) and the SHA-256 and row count of every file
 * beside it. It holds no generation time, so the same database and arguments give the same
 * manifest byte for byte; `sha256sum -c` style checks can be made from `files`.
 */
import { createHash } from 'node:crypto';
import { CSV_FORMULA_GUARD } from './csv.js';
import type { Row } from './queries.js';
import { formatCell } from './table.js';

/** One broken link of the history hash chain: which history, key and version (as `verify` names it). */
export interface BrokenLinkRef {
  history: string;
  kind: string;
  key: Record<string, string | number | null>;
  version_id: string;
  valid_from: string;
}

/** What the history hash chain said about the data the report used. */
export interface VerifyResult {
  intact: boolean;
  /** Broken links found (0 when intact). */
  broken: number;
  /** The first of them (all when `broken` ≤ BROKEN_LINKS_LISTED), in `verify`'s order. */
  links: BrokenLinkRef[];
  /** The digest of the histories as they stood at the report's instant (`verify --as-of`); absent = not taken. */
  asOfDigest?: AsOfDigestRef;
}

/** `verify --as-of`'s digest: form, hex SHA-256, keys per history (docs/audit.md). */
export interface AsOfDigestRef {
  form: string;
  sha256: string;
  keys: { baseline: number; rule: number };
}

/** Broken links named in the manifest and on the page (all are counted in `broken`). */
export const BROKEN_LINKS_LISTED = 100;

/** Per CSV: rows written, rows before the cut to the top N, cells the formula guard changed. */
export interface CsvStats {
  rows: number;
  rowsTotal: number;
  guarded: number;
}

export interface ManifestInput {
  asOf: string;
  days: number;
  periodFrom: string;
  filters: { target: string[] | null; enterprise_project: string[] | null; image_type: string[] | null };
  toolVersion: string;
  freshness: Row[];
  /** File name → content, in the order listed. */
  files: ReadonlyMap<string, string>;
  /** CSV file name → its counts (data rows, header excluded). */
  csvStats: ReadonlyMap<string, CsvStats>;
  /** null when no verifier was available to this build. */
  verify: VerifyResult | null;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The manifest's text (2-space JSON and a final newline). */
export function renderManifest(m: ManifestInput): string {
  const runs = m.freshness.map((r) => ({
    target: formatCell(r.target),
    project_id: formatCell(r.project_id),
    enterprise_project_id: formatCell(r.enterprise_project_id),
    image_type: formatCell(r.image_type),
    last_run_id: r.last_run_id == null ? null : formatCell(r.last_run_id),
    last_run_status: r.last_run_status == null ? null : formatCell(r.last_run_status),
    last_run_finished_at: r.last_run_finished_at == null ? null : formatCell(r.last_run_finished_at),
    last_success_run_id: r.last_success_run_id == null ? null : formatCell(r.last_success_run_id),
  }));
  const files = [...m.files].map(([name, text]) => {
    const csv = m.csvStats.get(name);
    return {
      name,
      bytes: Buffer.byteLength(text, 'utf8'),
      ...(csv ? { rows: csv.rows, rows_total: csv.rowsTotal, formula_guarded_cells: csv.guarded } : {}),
      sha256: sha256(text),
    };
  });
  const manifest = {
    tool: 'hss-baseline-sync',
    tool_version: m.toolVersion,
    as_of: m.asOf,
    // The fingerprint of the history at as_of: `verify --as-of <as_of> --expect <sha256>` checks
    // it years later (docs/audit.md).
    as_of_digest: m.verify?.asOfDigest ?? null,
    period: { from: m.periodFrom, to: m.asOf, days: m.days },
    filters: m.filters,
    runs,
    csv_formula_guard: CSV_FORMULA_GUARD,
    files,
    verify:
      m.verify === null
        ? null
        : { intact: m.verify.intact, broken: m.verify.broken, broken_links: m.verify.links },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
