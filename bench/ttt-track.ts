/**
 * What the time-to-truth model measures: per kind of data, when the first backfill ended (every
 * image stored once) and, for each upstream rescan from the steady state on, the time until the
 * stored data equals it (staleness); per API, the calls made over the steady-state window.
 */
import type { EstateScope } from './ttt-estate.js';

export const KINDS = ['summaries', 'rules', 'values', 'descriptions'] as const;
export type Kind = (typeof KINDS)[number];

interface Pending {
  ver: number;
  at: number;
}

export class Tracker {
  /** Images (descriptions: rule keys) stored at least once, and when the last of them was. */
  private readonly once = new Map<Kind, Set<string>>(KINDS.map((k) => [k, new Set()]));
  readonly backfilledAt = new Map<Kind, number>();
  /** Upstream changes not yet stored, per kind and image, oldest first. */
  private readonly pending = new Map<Kind, Map<string, Pending[]>>(KINDS.map((k) => [k, new Map()]));
  readonly staleness = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
  /** Calls per API at the first run of the steady state, and at the last run. */
  windowStart: { at: number; calls: Record<string, number>; valuesBacklog: number } | null = null;
  windowEnd: { at: number; calls: Record<string, number>; valuesBacklog: number } | null = null;

  constructor(
    private readonly expected: Record<Kind, number>,
    private readonly steadyFromMs: number,
    private readonly valuesOn: boolean,
  ) {
    for (const k of KINDS) if (expected[k] === 0) this.backfilledAt.set(k, 0);
  }

  /** An upstream rescan of an image (version `ver`) at `at`. */
  changed(id: string, ver: number, at: number, scope: EstateScope): void {
    if (at < this.steadyFromMs) return;
    const kinds: Kind[] = ['summaries'];
    if (scope.rules !== null) kinds.push('rules');
    if (scope.ruleDetail && this.valuesOn) kinds.push('values');
    for (const k of kinds) {
      const m = this.pending.get(k) as Map<string, Pending[]>;
      m.set(id, [...(m.get(id) ?? []), { ver, at }]);
    }
  }

  /** Version `ver` of an image's `kind` stored at `at`. */
  stored(kind: Kind, id: string, ver: number, at: number): void {
    this.first(kind, id, at);
    const m = this.pending.get(kind) as Map<string, Pending[]>;
    const list = m.get(id);
    if (!list) return;
    const left = list.filter((p) => p.ver > ver);
    for (const p of list) if (p.ver <= ver) this.staleness.get(kind)?.push(at - p.at);
    if (left.length) m.set(id, left);
    else m.delete(id);
  }

  /** A rule's description stored for the first time, `needed` since the first rule row naming it. */
  described(key: string, needed: number, at: number): void {
    this.first('descriptions', key, at);
    if (needed >= this.steadyFromMs) this.staleness.get('descriptions')?.push(at - needed);
  }

  private first(kind: Kind, id: string, at: number): void {
    const s = this.once.get(kind) as Set<string>;
    if (s.has(id)) return;
    s.add(id);
    if (s.size >= this.expected[kind] && !this.backfilledAt.has(kind)) this.backfilledAt.set(kind, at);
  }

  endRun(at: number, calls: Record<string, number>, valuesBacklog: number): void {
    const snap = { at, calls: { ...calls }, valuesBacklog };
    if (at >= this.steadyFromMs && this.windowStart === null) this.windowStart = snap;
    this.windowEnd = snap;
  }

  /** Changes still not stored at `end`: counted at their age then (a lower bound). */
  censored(kind: Kind, end: number): number[] {
    const out: number[] = [];
    for (const list of (this.pending.get(kind) as Map<string, Pending[]>).values())
      for (const p of list) out.push(end - p.at);
    return out;
  }
}

/** The q-quantile (0..1) of `xs` (nearest rank); null when empty. */
export function quantile(xs: readonly number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}
