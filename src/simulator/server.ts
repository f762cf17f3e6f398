/**
 * The simulator's HTTP server (node:http): routes /v5 HSS calls through latency, auth, rate
 * limiting and faults to the pure API handlers, serves IAM tokens and the /_sim/ control surface.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../clock.js';
import { handleControl } from './control.js';
import { FaultInjector } from './faults.js';
import { headerRecord, newRequestId, readBody, writeReply } from './http-io.js';
import { createToken } from './iam.js';
import { parseQuery, splitTarget } from './query.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { gatewayError, hssError, noSuchApi } from './reply.js';
import { StatsRecorder } from './stats.js';
import { TokenStore } from './tokens.js';
import type { FaultOptions, SimStats, SimulatorOptions } from './types.js';
import { handleV5, matchV5, type SimState } from './v5.js';
import { SimWorld } from './world.js';

export interface Simulator {
  readonly world: SimWorld;
  /** Starts listening (default 127.0.0.1, ephemeral port). Resolves with the base URL. */
  listen(opts?: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  /** Stops listening and closes every connection, keep-alive ones too. Idempotent. */
  close(): Promise<void>;
  /** Counters since start or the last resetStats(). */
  stats(): SimStats;
  resetStats(): void;
  /** Replaces all fault settings (and restarts the fault PRNG). */
  setFaults(f: FaultOptions): void;
  /** Changes the rate limit (null or 0 = off); `retryAfter` keeps its value when omitted. */
  setRateLimit(perMinute: number | null, retryAfter?: boolean): void;
  /** Makes every token IAM issued expire now (the next call with one gets 401 APIGW.0307). */
  expireTokens(): number;
  /**
   * Calls `listener` after every change of the counters (a call arrived or answered, a fault, a
   * reset), so a test waits for "the third result call" on an event instead of polling.
   * Returns the function that removes it.
   */
  onStats(listener: () => void): () => void;
}

const MAX_BODY_BYTES = 1024 * 1024;
const IAM_API = 'KeystoneCreateToken';

/** IAM's side of the simulator: who may get a token, and for how long. */
interface IamState {
  users: NonNullable<NonNullable<SimulatorOptions['auth']>['users']>;
  agencies: NonNullable<NonNullable<SimulatorOptions['auth']>['agencies']>;
  tokenLifetimeMs: number;
}

/** The world, credentials, limits, faults and counters one simulator serves from. */
function createState(options: SimulatorOptions): SimState & IamState {
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
  return {
    world,
    clock,
    tokens: new TokenStore(auth.tokens ?? ['sim-token']),
    accessKeys: new Map(
      (auth.accessKeys ?? []).map((k) => [k.ak, { sk: k.sk, securityToken: k.securityToken }]),
    ),
    users: auth.users ?? [{ domain: 'sim-domain', user: 'sim-user', password: 'sim-password' }],
    agencies: auth.agencies ?? [],
    tokenLifetimeMs: options.tokenLifetimeMs ?? 24 * 3_600_000,
    maxClockSkewMs: options.maxClockSkewMs ?? 15 * 60_000,
    limiter: new SlidingWindowLimiter(options.rateLimitPerMinute ?? null),
    retryAfter: options.retryAfter ?? true,
    faults: new FaultInjector(options.faults ?? {}),
    stats: new StatsRecorder(),
  };
}

/** The test's levers on a running simulator, shared by its API and the /_sim/ control surface. */
function controlsOf(state: SimState) {
  return {
    stats: () => state.stats.snapshot(),
    resetStats: () => state.stats.reset(),
    setFaults: (f: FaultOptions) => state.faults.set(f),
    setRateLimit: (perMinute: number | null, ra?: boolean) => {
      state.limiter.setLimit(perMinute);
      if (ra !== undefined) state.retryAfter = ra;
    },
    expireTokens: () => state.tokens.expireIssued(state.clock.now()),
  };
}
type Controls = ReturnType<typeof controlsOf>;

function serveControl(
  state: SimState,
  controls: Controls,
  res: ServerResponse,
  method: string,
  target: Target,
  body: Buffer,
): void {
  let q: Map<string, string>;
  try {
    q = parseQuery(target.query);
  } catch {
    writeReply(res, hssError(400, 'SIM.0001', 'the query cannot be parsed'));
    return;
  }
  writeReply(
    res,
    handleControl(method, target.path, q, body.toString('utf8'), { world: state.world, ...controls }),
  );
}

function serveToken(
  state: SimState & IamState,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): void {
  const reply = createToken(body.toString('utf8'), headerRecord(req)['x-auth-token'], {
    users: state.users,
    agencies: state.agencies,
    tokens: state.tokens,
    now: state.clock.now(),
    lifetimeMs: state.tokenLifetimeMs,
  });
  if (reply.status === 201) state.stats.tokenIssued();
  state.stats.call(IAM_API, reply.status);
  writeReply(res, reply);
}

type Target = { path: string; query: string };

/** Serves one request: the control surface, IAM's token endpoint, or a /v5 HSS call. */
async function handle(
  state: SimState & IamState,
  controls: Controls,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = newRequestId();
  res.setHeader('X-Request-Id', requestId);
  const method = req.method ?? 'GET';
  const target = splitTarget(req.url ?? '/');
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === null) {
    writeReply(res, gatewayError(413, 'APIGW.0201', 'Request entity too large', requestId));
    return;
  }
  if (target.path.startsWith('/_sim/')) return serveControl(state, controls, res, method, target, body);
  if (target.path === '/v3/auth/tokens' && method === 'POST') return serveToken(state, req, res, body);
  const route = matchV5(method, target.path);
  if (!route) {
    state.stats.call('unknown', 404);
    writeReply(res, noSuchApi(requestId));
    return;
  }
  await handleV5(state, { req, res, route, target, body, requestId });
}

/** Starts `server` listening; resolves with its base URL. */
async function listenOn(server: Server, opts: { port?: number; host?: string }) {
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
}

/**
 * Builds a simulator (world generated now, from the seed). Defaults are documented on
 * SimulatorOptions. Call listen() to serve it.
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const state = createState(options);
  const controls = controlsOf(state);
  const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    handle(state, controls, req, res).catch((err: unknown) => {
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
    world: state.world,
    listen: (opts = {}) => listenOn(server, opts),
    close() {
      if (closing) return closing;
      if (!server.listening) return Promise.resolve();
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
    ...controls,
    onStats: (listener) => state.stats.onChange(listener),
  };
}
