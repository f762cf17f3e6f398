/**
 * Seeded fault injection for the /v5 APIs. The injector decides per call, in a fixed order
 * (failPage, errorRates, html, truncated JSON, reset, slow body, oversized), then per item
 * (invalid items), drawing from its own PRNG only for rules that apply, so one call sequence
 * always meets the same faults. Paging faults (drift, page shift, short pages) and token expiry
 * are counted, not drawn.
 */
import { Rng } from './prng.js';
import { gatewayError, hssError, type Reply } from './reply.js';
import type { FaultOptions, HostileValue } from './types.js';

export type FaultDecision =
  | { kind: 'status'; status: number; source: 'error' | 'failPage' }
  | { kind: 'html' }
  | { kind: 'truncated' }
  | { kind: 'reset' }
  | { kind: 'slowBody'; totalMs: number }
  | { kind: 'oversized'; bytes: number };

export class FaultInjector {
  private options: FaultOptions = {};
  private rng = new Rng(1);
  private failPageHits = 0;
  private shiftHits = 0;
  private driftHits = 0;
  private errorReplyHits = 0;
  private v5Calls = 0;
  private tokensExpired = false;
  private readonly driftCalls = new Map<string, number>();

  constructor(options: FaultOptions = {}) {
    this.set(options);
  }

  /** Replaces every fault setting and restarts the PRNG and counters. */
  set(options: FaultOptions): void {
    this.options = structuredClone(options);
    this.rng = new Rng(options.seed ?? 1);
    this.failPageHits = 0;
    this.shiftHits = 0;
    this.driftHits = 0;
    this.errorReplyHits = 0;
    this.v5Calls = 0;
    this.tokensExpired = false;
    this.driftCalls.clear();
  }

  /** The real-time delay before answering a call of `api`. */
  latencyFor(api: string): number {
    const apis = this.options.latencyApis;
    if (apis !== undefined && !apis.includes(api)) return 0;
    return Math.max(0, this.options.latencyMs ?? 0);
  }

  /** The fault for this call of `api` at `offset` (the request's offset, default 0), or null. */
  decide(api: string, offset: number): FaultDecision | null {
    const fp = this.options.failPage;
    if (
      fp &&
      fp.api === api &&
      fp.offset === offset &&
      (fp.times === undefined || this.failPageHits < fp.times)
    ) {
      this.failPageHits++;
      return { kind: 'status', status: fp.status, source: 'failPage' };
    }
    for (const rule of this.options.errorRates ?? []) {
      if (rule.api !== api && rule.api !== '*') continue;
      if (rule.rate > 0 && this.rng.next() < rule.rate)
        return { kind: 'status', status: rule.status, source: 'error' };
    }
    if (!this.targets(api)) return null;
    if (this.roll(this.options.htmlRate)) return { kind: 'html' };
    if (this.roll(this.options.truncatedJsonRate)) return { kind: 'truncated' };
    if (this.roll(this.options.resetRate)) return { kind: 'reset' };
    if (this.roll(this.options.slowBodyRate)) {
      return { kind: 'slowBody', totalMs: Math.max(0, this.options.slowBodyMs ?? 2_000) };
    }
    if (this.roll(this.options.oversizedRate)) {
      return { kind: 'oversized', bytes: Math.max(0, this.options.oversizedBytes ?? 2 * 1024 * 1024) };
    }
    return null;
  }

  /** Whether this data_list item of a 200 answer of `api` is to be made schema-invalid. */
  invalidItem(api: string): boolean {
    return this.targets(api) && this.roll(this.options.invalidItemRate);
  }

  private targets(api: string): boolean {
    return this.options.onlyApis === undefined || this.options.onlyApis.includes(api);
  }

  /**
   * Rows by which a list page at `offset` is shifted (0 = none). The first page is never shifted:
   * paging starts on a consistent listing.
   */
  pageShift(offset: number): number {
    const ps = this.options.pageShift;
    if (!ps || ps.rows === 0 || offset === 0) return 0;
    if (ps.times !== undefined && this.shiftHits >= ps.times) return 0;
    this.shiftHits++;
    return ps.rows;
  }

  /** The rows a list page brings when `limit` were asked for. */
  pageLimit(limit: number): number {
    return this.options.shortPages ? Math.max(1, Math.ceil(limit / 2)) : limit;
  }

  /** Rows more than the limit a list page brings (0 = none). */
  get extraRows(): number {
    return Math.max(0, this.options.longPages ?? 0);
  }

  /** Whether 200 pages of `api` go without total_num. */
  omitTotalNum(api: string): boolean {
    const apis = this.options.omitTotalNum ?? [];
    return apis.includes(api) || apis.includes('*');
  }

  /** Whether error answers take the nested form {"error":{"code","message"}}. */
  get nestedErrors(): boolean {
    return this.options.nestedErrors === true;
  }

  /** The hostile values to plant in 200 answers. */
  get hostileValues(): readonly HostileValue[] {
    return this.options.hostileValues ?? [];
  }

  /** The hostile error answer for this call of `api`, or null (counts towards `times`). */
  errorReply(api: string): { status: number; body: unknown } | null {
    const er = this.options.errorReply;
    if (!er || er.api !== api || (er.times !== undefined && this.errorReplyHits >= er.times)) return null;
    this.errorReplyHits++;
    return { status: er.status, body: er.body };
  }

  /** Counts one /v5 call; true exactly once, when the calls reach tokenExpiry.afterCalls. */
  tokenExpiryDue(): boolean {
    this.v5Calls++;
    const te = this.options.tokenExpiry;
    if (!te || this.tokensExpired || this.v5Calls < te.afterCalls) return false;
    this.tokensExpired = true;
    return true;
  }

  private roll(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.rng.next() < rate;
  }

  /** Whether this successful list answer of `api` reports total_num + 1 (1st, 3rd, … call). */
  drift(api: string): boolean {
    if (!this.options.totalNumDrift) return false;
    const n = (this.driftCalls.get(api) ?? 0) + 1;
    this.driftCalls.set(api, n);
    const times = this.options.totalNumDriftTimes;
    if (n % 2 === 0 || (times !== undefined && this.driftHits >= times)) return false;
    this.driftHits++;
    return true;
  }
}

/** The body an injected error status answers with. */
export function faultReply(status: number, requestId: string): Reply {
  switch (status) {
    case 400:
      return hssError(400, 'HSS.0001', 'Invalid parameter');
    case 401:
      return gatewayError(
        401,
        'APIGW.0301',
        'Incorrect IAM authentication information: decrypt token fail',
        requestId,
      );
    case 403:
      return hssError(403, 'HSS.0010', 'Access denied');
    case 404:
      return gatewayError(
        404,
        'APIGW.0101',
        'The API does not exist or has not been published in the environment',
        requestId,
      );
    case 429:
      return gatewayError(429, 'APIGW.0308', 'policy user over ratelimit,limit:5,time:1 minute', requestId);
    case 500:
      return hssError(500, 'HSS.0004', 'Internal system error');
    case 502:
      return gatewayError(502, 'APIGW.0202', 'Bad gateway', requestId);
    case 503:
      return gatewayError(503, 'APIGW.0201', 'Backend unavailable', requestId);
    case 504:
      return gatewayError(504, 'APIGW.0201', 'Backend timeout', requestId);
    default:
      return gatewayError(status, 'SIM.FAULT', `Injected fault HTTP ${status}`, requestId);
  }
}

/**
 * An error reply in the nested form `{"error":{"code","message"}}` (some Huawei gateways and
 * services answer so); other bodies are returned unchanged.
 */
export function nestError(reply: Reply): Reply {
  const b = reply.body as { error_code?: unknown; error_msg?: unknown } | null;
  if (reply.status < 400 || b === null || typeof b !== 'object' || b.error_code === undefined) return reply;
  return { ...reply, body: { error: { code: b.error_code, message: b.error_msg } } };
}

/** The HTML page a misrouted proxy answers with. */
export const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>' +
  '<p>The proxy server received an invalid response.</p></body></html>';
