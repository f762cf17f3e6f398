/**
 * The simulator's HTTP server (node:http): routes /v5 HSS calls through latency, auth, rate
 * limiting and faults to the pure API handlers, serves IAM tokens and the /_sim/ control surface.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../clock.js';
import { authenticate } from './authenticate.js';
import { listCheckRulesInfo } from './check-rules.js';
import { handleControl } from './control.js';
import { FaultInjector, faultReply, HTML_PAGE, nestError } from './faults.js';
import {
  headerRecord,
  newRequestId,
  readBody,
  writeReply,
  writeSlowly,
  writeThenReset,
  writeTruncated,
} from './http-io.js';
import { createToken } from './iam.js';
import { listCicdImages, listImageLocal, listRegistryImages } from './list-images.js';
import { bendPage } from './page-faults.js';
import { parseQuery, splitTarget } from './query.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { gatewayError, hssError, noSuchApi, type Reply } from './reply.js';
import { listImageRiskConfigs } from './risk-configs.js';
import { listImageRiskConfigRules, showImageCheckRuleDetail } from './rules.js';
import { StatsRecorder } from './stats.js';
import { TokenStore } from './tokens.js';
import type { FaultOptions, SimApi, SimStats, SimulatorOptions } from './types.js';
import { SimWorld } from './world.js';

export interface Simulator {
  readonly world: SimWorld;
  /** Starts listening (default 127.0.0.1, ephemeral port). Resolves with the base URL. */
  listen(opts?: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  /** Stops listening and closes every connection, keep-alive ones too. Idempotent. */
  close(): Promise<void>;
  /** Counters since start or the last resetStats(). */
  stats(): SimStats;
  /**
   * Calls `listener` after every change of the counters (a call arrived or answered, a fault, a
   * reset), so a test waits for "the third result call" on an event instead of polling.
   * Returns the function that removes it.
   */
  onStats(listener: () => void): () => void;
  resetStats(): void;
  /** Replaces all fault settings (and restarts the fault PRNG). */
  setFaults(f: FaultOptions): void;
  /** Changes the rate limit (null or 0 = off); `retryAfter` keeps its value when omitted. */
  setRateLimit(perMinute: number | null, retryAfter?: boolean): void;
  /** Makes every token IAM issued expire now (the next call with one gets 401 APIGW.0307). */
  expireTokens(): number;
}

type Handler = (world: SimWorld, projectId: string, q: Map<string, string>) => Reply;

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
const MAX_BODY_BYTES = 1024 * 1024;
const IAM_API = 'KeystoneCreateToken';

/** `GET /v5/{project_id}/<route>` → the API and the decoded project id, or null. */
function matchV5(method: string, path: string): { api: SimApi; handler: Handler; projectId: string } | null {
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

/**
 * Builds a simulator (world generated now, from the seed). Defaults are documented on
 * SimulatorOptions. Call listen() to serve it.
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const clock = options.clock ?? systemClock;
  const world = new SimWorld({
    seed: options.seed ?? 1,
    projects: options.projects,
    imageTypes: options.imageTypes,
    imagesPerScope: options.imagesPerScope,
    coverage: options.coverage,
    cicdRiskConfigs: options.cicdRiskConfigs,
    clock,
  });
  const auth = options.auth ?? {};
  const tokens = new TokenStore(auth.tokens ?? ['sim-token']);
  const accessKeys = new Map(
    (auth.accessKeys ?? []).map((k) => [k.ak, { sk: k.sk, securityToken: k.securityToken }]),
  );
  const users = auth.users ?? [{ domain: 'sim-domain', user: 'sim-user', password: 'sim-password' }];
  const agencies = auth.agencies ?? [];
  const tokenLifetimeMs = options.tokenLifetimeMs ?? 24 * 3_600_000;
  const maxClockSkewMs = options.maxClockSkewMs ?? 15 * 60_000;
  const limiter = new SlidingWindowLimiter(options.rateLimitPerMinute ?? null);
  let retryAfter = options.retryAfter ?? true;
  const faults = new FaultInjector(options.faults ?? {});
  const stats = new StatsRecorder();

  const setFaults = (f: FaultOptions) => faults.set(f);
  const setRateLimit = (perMinute: number | null, ra?: boolean) => {
    limiter.setLimit(perMinute);
    if (ra !== undefined) retryAfter = ra;
  };
  const expireTokens = () => tokens.expireIssued(clock.now());

  async function handleV5(
    req: IncomingMessage,
    res: ServerResponse,
    route: { api: SimApi; handler: Handler; projectId: string },
    target: { path: string; query: string },
    body: Buffer,
    requestId: string,
  ): Promise<void> {
    const { api } = route;
    const send = (reply: Reply, status = reply.status) => {
      stats.call(api, status);
      writeReply(res, faults.nestedErrors ? nestError(reply) : reply);
    };
    stats.arrived(api);
    const latency = faults.latencyFor(api);
    if (latency > 0) await sleep(latency);
    if (faults.tokenExpiryDue()) {
      stats.fault('tokenExpiry');
      expireTokens();
    }

    const who = authenticate(
      {
        method: req.method ?? 'GET',
        rawPath: target.path,
        rawQuery: target.query,
        headers: headerRecord(req),
        body,
      },
      { tokens, accessKeys, now: clock.now(), maxSkewMs: maxClockSkewMs },
    );
    if (!who.ok) {
      stats.rejected(who.by);
      return send(gatewayError(401, who.errorCode, who.message, requestId));
    }

    const admission = limiter.tryAcquire(`${who.identity}\u0001${api}`, clock.now());
    if (!admission.ok) {
      stats.throttled();
      const reply = gatewayError(
        429,
        'APIGW.0308',
        `policy user over ratelimit,limit:${limiter.perWindow},time:1 minute`,
        requestId,
      );
      if (retryAfter) reply.headers = { 'Retry-After': String(Math.ceil(admission.retryAfterMs / 1000)) };
      return send(reply);
    }

    let q: Map<string, string>;
    try {
      q = parseQuery(target.query);
    } catch {
      return send(hssError(400, 'HSS.0002', 'The request query cannot be parsed'));
    }

    const hostileError = faults.errorReply(api);
    if (hostileError) {
      stats.fault('errorReply');
      // The body's request_id is the only one: a client must keep what the body says.
      res.removeHeader('X-Request-Id');
      stats.call(api, hostileError.status);
      return writeReply(res, { status: hostileError.status, body: hostileError.body });
    }

    const offset = /^\d+$/.test(q.get('offset') ?? '0') ? Number(q.get('offset') ?? '0') : -1;
    const fault = faults.decide(api, offset);
    if (fault?.kind === 'status') {
      stats.fault(fault.source);
      return send(faultReply(fault.status, requestId));
    }
    if (fault?.kind === 'html') {
      stats.fault('html');
      return send({ status: 200, body: HTML_PAGE, contentType: 'text/html; charset=utf-8' });
    }

    const isList = LIST_APIS.includes(api);
    const shift = isList && offset > 0 ? faults.pageShift(offset) : 0;
    let served = q;
    if (shift !== 0) {
      // The listing moved while the client paged: this page starts `shift` rows off.
      stats.fault('pageShift');
      served = new Map(q);
      served.set('offset', String(Math.max(0, offset + shift)));
    }
    const asked = Number(q.get('limit') ?? '10');
    if (isList && faults.extraRows > 0 && Number.isInteger(asked)) {
      // A server ignoring limit: the page brings more rows than were asked for.
      stats.fault('longPage');
      if (served === q) served = new Map(q);
      served.set('limit', String(asked + faults.extraRows));
    }
    const reply = route.handler(world, route.projectId, served);
    bendPage(reply, { api, q, asked, isList, faults, stats });
    const imageId = q.get('image_id');
    if (reply.status === 200 && imageId && PER_IMAGE_APIS.includes(api)) stats.perImageCall(api, imageId);
    if (fault?.kind === 'truncated') {
      stats.fault('truncated');
      stats.call(api, reply.status);
      return writeTruncated(res, reply);
    }
    if (fault?.kind === 'reset') {
      stats.fault('reset');
      stats.call(api, 0);
      return writeThenReset(res, reply);
    }
    if (fault?.kind === 'slowBody') {
      stats.fault('slowBody');
      stats.call(api, reply.status);
      return writeSlowly(res, reply, fault.totalMs);
    }
    if (fault?.kind === 'oversized' && reply.status === 200) {
      stats.fault('oversized');
      const json = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      return send({ ...reply, body: json + ' '.repeat(Math.max(0, fault.bytes - Buffer.byteLength(json))) });
    }
    send(reply);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    res.setHeader('X-Request-Id', requestId);
    const method = req.method ?? 'GET';
    const target = splitTarget(req.url ?? '/');
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) {
      writeReply(res, gatewayError(413, 'APIGW.0201', 'Request entity too large', requestId));
      return;
    }

    if (target.path.startsWith('/_sim/')) {
      let q: Map<string, string>;
      try {
        q = parseQuery(target.query);
      } catch {
        writeReply(res, hssError(400, 'SIM.0001', 'the query cannot be parsed'));
        return;
      }
      const deps = {
        world,
        stats: () => stats.snapshot(),
        resetStats: () => stats.reset(),
        setFaults,
        setRateLimit,
        expireTokens,
      };
      writeReply(res, handleControl(method, target.path, q, body.toString('utf8'), deps));
      return;
    }

    if (target.path === '/v3/auth/tokens' && method === 'POST') {
      const reply = createToken(body.toString('utf8'), headerRecord(req)['x-auth-token'], {
        users,
        agencies,
        tokens,
        now: clock.now(),
        lifetimeMs: tokenLifetimeMs,
      });
      if (reply.status === 201) stats.tokenIssued();
      stats.call(IAM_API, reply.status);
      writeReply(res, reply);
      return;
    }

    const route = matchV5(method, target.path);
    if (!route) {
      stats.call('unknown', 404);
      writeReply(res, noSuchApi(requestId));
      return;
    }
    await handleV5(req, res, route, target, body, requestId);
  }

  const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const msg = err instanceof Error ? err.message : String(err);
      writeReply(res, hssError(500, 'SIM.0500', `simulator error: ${msg.slice(0, 200)}`));
    });
  });
  let closing: Promise<void> | null = null;

  return {
    world,
    async listen(opts = {}) {
      const host = opts.host ?? '127.0.0.1';
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port ?? 0, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { port } = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      return { url: `http://${urlHost}:${port}`, port };
    },
    close() {
      if (closing) return closing;
      if (!server.listening) return Promise.resolve();
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
    stats: () => stats.snapshot(),
    onStats: (listener) => stats.onChange(listener),
    resetStats: () => stats.reset(),
    setFaults,
    setRateLimit,
    expireTokens,
  };
}
