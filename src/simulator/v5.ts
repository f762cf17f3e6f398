/**
 * The simulator's /v5 HSS calls: routing to the pure API handlers, then, in order, latency, auth,
 * rate limiting, the injected faults and the page bends, and the reply.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import { authenticate } from './authenticate.js';
import { listCheckRulesInfo } from './check-rules.js';
import { type FaultDecision, type FaultInjector, faultReply, HTML_PAGE, nestError } from './faults.js';
import { headerRecord, writeReply, writeSlowly, writeThenReset, writeTruncated } from './http-io.js';
import { listCicdImages, listImageLocal, listRegistryImages } from './list-images.js';
import { bendPage } from './page-faults.js';
import { parseQuery } from './query.js';
import type { SlidingWindowLimiter } from './rate-limit.js';
import { gatewayError, hssError, type Reply } from './reply.js';
import { listImageRiskConfigs } from './risk-configs.js';
import { listImageRiskConfigRules, showImageCheckRuleDetail } from './rules.js';
import type { StatsRecorder } from './stats.js';
import type { TokenStore } from './tokens.js';
import type { SimApi } from './types.js';
import type { SimWorld } from './world.js';

/** What one simulator serves from: its world, credentials, limits, faults and counters. */
export interface SimState {
  readonly world: SimWorld;
  readonly clock: Clock;
  readonly tokens: TokenStore;
  readonly accessKeys: Map<string, { sk: string; securityToken?: string }>;
  readonly maxClockSkewMs: number;
  readonly limiter: SlidingWindowLimiter;
  /** Whether 429 answers carry Retry-After (changed by setRateLimit). */
  retryAfter: boolean;
  readonly faults: FaultInjector;
  readonly stats: StatsRecorder;
}

export type Handler = (world: SimWorld, projectId: string, q: Map<string, string>) => Reply;

const V5_ROUTES: Record<string, { api: SimApi; handler: Handler }> = {
  'image/registries/images': { api: 'ListRegistryImages', handler: listRegistryImages },
  'image/local-repositories': { api: 'ListImageLocal', handler: listImageLocal },
  'image/cicd/images': { api: 'ListCicdImages', handler: listCicdImages },
  'image/baseline/risk-configs': { api: 'ListImageRiskConfigs', handler: listImageRiskConfigs },
  'image/baseline/check-rule/detail': { api: 'ShowImageCheckRuleDetail', handler: showImageCheckRuleDetail },
  'baseline/check-rules': { api: 'ListCheckRulesInfo', handler: listCheckRulesInfo },
};
/** The per-image APIs whose 200 answers with an image_id filter are counted per image. */
const PER_IMAGE_APIS: readonly string[] = [
  'ListImageRiskConfigs',
  'ListImageRiskConfigRules',
  'ListCheckRulesInfo',
  'ShowImageCheckRuleDetail',
];
/** `image/baseline/risk-configs/{check_name}/rules`: check_name is one percent-encoded segment. */
const RULES_ROUTE = /^image\/baseline\/risk-configs\/([^/]+)\/rules$/;
const LIST_APIS: readonly string[] = ['ListRegistryImages', 'ListImageLocal', 'ListCicdImages'];

/** `GET /v5/{project_id}/<route>` → the API and the decoded project id, or null. */
export function matchV5(
  method: string,
  path: string,
): { api: SimApi; handler: Handler; projectId: string } | null {
  if (method !== 'GET') return null;
  const m = /^\/v5\/([^/]+)\/(.+)$/.exec(path);
  if (!m?.[1] || !m[2]) return null;
  try {
    const projectId = decodeURIComponent(m[1]);
    const rules = RULES_ROUTE.exec(m[2]);
    if (rules?.[1]) {
      const checkName = decodeURIComponent(rules[1]);
      const handler: Handler = (world, pid, q) => listImageRiskConfigRules(world, pid, checkName, q);
      return { api: 'ListImageRiskConfigRules', handler, projectId };
    }
    const route = V5_ROUTES[m[2]];
    if (!route) return null;
    return { ...route, projectId };
  } catch {
    return null;
  }
}

export interface V5Route {
  api: SimApi;
  handler: Handler;
  projectId: string;
}

export interface V5Request {
  req: IncomingMessage;
  res: ServerResponse;
  route: V5Route;
  target: { path: string; query: string };
  body: Buffer;
  requestId: string;
}

/** Writes `reply` (nested when the faults say so) and counts it under `status`. */
function send(s: SimState, r: V5Request, reply: Reply, status = reply.status): void {
  s.stats.call(r.route.api, status);
  writeReply(r.res, s.faults.nestedErrors ? nestError(reply) : reply);
}

/** The configured latency, and the injected token expiry, before the call is looked at. */
async function delayAndExpire(s: SimState, api: SimApi): Promise<void> {
  const latency = s.faults.latencyFor(api);
  if (latency > 0) await sleep(latency);
  if (s.faults.tokenExpiryDue()) {
    s.stats.fault('tokenExpiry');
    s.tokens.expireIssued(s.clock.now());
  }
}

/** The gateway's answer to a caller it does not let through (401 or 429), or null. */
function gatewayRefusal(s: SimState, r: V5Request): Reply | null {
  const { req, target, body, requestId } = r;
  const who = authenticate(
    {
      method: req.method ?? 'GET',
      rawPath: target.path,
      rawQuery: target.query,
      headers: headerRecord(req),
      body,
    },
    { tokens: s.tokens, accessKeys: s.accessKeys, now: s.clock.now(), maxSkewMs: s.maxClockSkewMs },
  );
  if (!who.ok) {
    s.stats.rejected(who.by);
    return gatewayError(401, who.errorCode, who.message, requestId);
  }
  const admission = s.limiter.tryAcquire(`${who.identity}\u0001${r.route.api}`, s.clock.now());
  if (admission.ok) return null;
  s.stats.throttled();
  const reply = gatewayError(
    429,
    'APIGW.0308',
    `policy user over ratelimit,limit:${s.limiter.perWindow},time:1 minute`,
    requestId,
  );
  if (s.retryAfter) reply.headers = { 'Retry-After': String(Math.ceil(admission.retryAfterMs / 1000)) };
  return reply;
}

/** Answers the call with the configured hostile error reply (true), if one is due. */
function answeredByErrorReply(s: SimState, r: V5Request): boolean {
  const hostileError = s.faults.errorReply(r.route.api);
  if (!hostileError) return false;
  s.stats.fault('errorReply');
  // The body's request_id is the only one: a client must keep what the body says.
  r.res.removeHeader('X-Request-Id');
  s.stats.call(r.route.api, hostileError.status);
  writeReply(r.res, { status: hostileError.status, body: hostileError.body });
  return true;
}

/** Answers the call with a decided fault that replaces the handler (true), or leaves it (false). */
function answeredByFault(s: SimState, r: V5Request, fault: FaultDecision | null): boolean {
  if (fault?.kind === 'status') {
    s.stats.fault(fault.source);
    send(s, r, faultReply(fault.status, r.requestId));
    return true;
  }
  if (fault?.kind === 'html') {
    s.stats.fault('html');
    send(s, r, { status: 200, body: HTML_PAGE, contentType: 'text/html; charset=utf-8' });
    return true;
  }
  return false;
}

/** The query the handler serves: the asked one, shifted or widened by the page faults. */
function servedQuery(s: SimState, api: SimApi, q: Map<string, string>, offset: number, asked: number) {
  const isList = LIST_APIS.includes(api);
  const shift = isList && offset > 0 ? s.faults.pageShift(offset) : 0;
  let served = q;
  if (shift !== 0) {
    // The listing moved while the client paged: this page starts `shift` rows off.
    s.stats.fault('pageShift');
    served = new Map(q);
    served.set('offset', String(Math.max(0, offset + shift)));
  }
  if (isList && s.faults.extraRows > 0 && Number.isInteger(asked)) {
    // A server ignoring limit: the page brings more rows than were asked for.
    s.stats.fault('longPage');
    if (served === q) served = new Map(q);
    served.set('limit', String(asked + s.faults.extraRows));
  }
  return served;
}

/** Writes the handler's reply, broken the way the decided fault says (if any). */
function writeServed(s: SimState, r: V5Request, reply: Reply, fault: FaultDecision | null): void {
  const { api } = r.route;
  if (fault?.kind === 'truncated') {
    s.stats.fault('truncated');
    s.stats.call(api, reply.status);
    writeTruncated(r.res, reply);
    return;
  }
  if (fault?.kind === 'reset') {
    s.stats.fault('reset');
    s.stats.call(api, 0);
    writeThenReset(r.res, reply);
    return;
  }
  if (fault?.kind === 'slowBody') {
    s.stats.fault('slowBody');
    s.stats.call(api, reply.status);
    writeSlowly(r.res, reply, fault.totalMs);
    return;
  }
  if (fault?.kind === 'oversized' && reply.status === 200) {
    s.stats.fault('oversized');
    const json = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    send(s, r, {
      ...reply,
      body: json + ' '.repeat(Math.max(0, fault.bytes - Buffer.byteLength(json))),
    });
    return;
  }
  send(s, r, reply);
}

/** Serves one /v5 call: see the module comment for the order of the steps. */
export async function handleV5(s: SimState, r: V5Request): Promise<void> {
  const { api } = r.route;
  s.stats.arrived(api);
  await delayAndExpire(s, api);
  const refusal = gatewayRefusal(s, r);
  if (refusal) return send(s, r, refusal);

  let q: Map<string, string>;
  try {
    q = parseQuery(r.target.query);
  } catch {
    return send(s, r, hssError(400, 'HSS.0002', 'The request query cannot be parsed'));
  }
  const offset = /^\d+$/.test(q.get('offset') ?? '0') ? Number(q.get('offset') ?? '0') : -1;
  if (answeredByErrorReply(s, r)) return;
  const fault = s.faults.decide(api, offset);
  if (answeredByFault(s, r, fault)) return;

  const asked = Number(q.get('limit') ?? '10');
  const served = servedQuery(s, api, q, offset, asked);
  const reply = r.route.handler(s.world, r.route.projectId, served);
  bendPage(reply, { api, q, asked, isList: LIST_APIS.includes(api), faults: s.faults, stats: s.stats });
  const imageId = q.get('image_id');
  if (reply.status === 200 && imageId && PER_IMAGE_APIS.includes(api)) s.stats.perImageCall(api, imageId);
  writeServed(s, r, reply, fault);
}
