/**
 * What a run's scope outcomes say about the settings (pure). Two patterns read as something
 * else today:
 * - every scope of a target listed 0 images: HSS answers a project id it does not know (or one
 *   of another region) with an empty list, so a wrong HSS_PROJECT_ID ended `sync succeeded
 *   images=0`. The run stays `succeeded` (an empty project is possible) but carries a warning
 *   that names the project id and the region.
 * - several scopes of a target failed the same way (an authentication failure is shared by every
 *   scope of a credential): reported once for the target instead of once per scope.
 */
import type { TargetConfig } from '../config/types.js';
import { API_NAMES } from '../domain.js';
import { CONFIGURATION_PROBLEM } from '../errors.js';

/** What diagnoseRun needs of a scope's report (ScopeReport fits). */
export interface ScopeOutcomeView {
  scope: { target: string };
  label: string;
  status: string;
  counts: { imagesListed: number };
  error: string | null;
}

export interface RunDiagnosis {
  /** The run's problems, a failure shared by several scopes of a target written once. */
  problems: string[];
  /** Findings that do not change the run's status, e.g. a target whose every scope listed 0 images. */
  warnings: string[];
}

/**
 * The part of a scope error that does not depend on the scope: without request ids, API names
 * and method + path (they differ between the list APIs of one target).
 */
export function sharedErrorKey(error: string): string {
  let key = error.replace(/ ?request_id=\S+/g, '').replace(/\b(GET|POST) \/\S*/g, '');
  for (const api of API_NAMES) key = key.split(api).join('');
  return key.replace(/\s+/g, ' ').trim();
}

/** The warning for a target whose every scope listed 0 images. */
export function emptyTargetWarning(target: TargetConfig, scopes: number): string {
  return `target ${target.name}: all ${scopes} scope(s) listed 0 images; check that HSS_PROJECT_ID (or the target's project_id) "${target.projectId}" is a project of region ${target.region}: HSS answers a project it does not know with an empty list`;
}

export function diagnoseRun(
  targets: readonly TargetConfig[],
  reports: readonly ScopeOutcomeView[],
): RunDiagnosis {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const target of targets) {
    const mine = reports.filter((r) => r.scope.target === target.name && r.status !== 'skipped');
    if (mine.length === 0) continue;

    if (mine.every((r) => r.status === 'succeeded' && r.counts.imagesListed === 0)) {
      warnings.push(emptyTargetWarning(target, mine.length));
    }

    const failing = mine.filter((r) => r.error);
    const groups = new Map<string, ScopeOutcomeView[]>();
    for (const r of failing) {
      const key = sharedErrorKey(r.error!);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const r of failing) {
      const group = groups.get(sharedErrorKey(r.error!))!;
      if (group.length === 1) problems.push(`${r.label}: ${r.error}`);
      else if (group[0] === r) {
        const who =
          group.length === mine.length
            ? `every scope (${group.length})`
            : `${group.length} scopes (${group.map((g) => g.label).join(', ')})`;
        problems.push(`target ${target.name}, ${who}: ${r.error}`);
      }
    }
  }
  // Scopes of targets no longer configured cannot occur in a run; keep any the loop missed.
  const named = new Set(targets.map((t) => t.name));
  for (const r of reports) if (r.error && !named.has(r.scope.target)) problems.push(`${r.label}: ${r.error}`);
  return { problems, warnings };
}

/** True when scopes ran and every one failed on a wrong setting (e.g. an HSS or IAM host not found). */
export function failedOnConfiguration(reports: readonly ScopeOutcomeView[]): boolean {
  const ran = reports.filter((r) => r.status !== 'skipped');
  return (
    ran.length > 0 &&
    ran.every((r) => r.status === 'failed' && r.error?.includes(CONFIGURATION_PROBLEM) === true)
  );
}
