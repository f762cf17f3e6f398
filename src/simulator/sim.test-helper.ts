/**
 * Test support (not a test file): one simulator on loopback for a test file, its scopes, and
 * plain GETs of its /v5 APIs with the default token.
 */
import { afterAll, beforeAll } from 'vitest';
import { createSimulator, type Simulator } from './server.js';
import type { SimScope, SimulatorOptions } from './types.js';

/** The simulator of the current test file; `sim` and `base` are set once beforeAll has run. */
export interface SimFixture {
  sim: Simulator;
  /** `http://127.0.0.1:<port>` */
  base: string;
}

/** Starts a simulator before the file's tests and closes it after them. */
export function simulatorForFile(options: SimulatorOptions): SimFixture {
  const fixture = {} as SimFixture;
  beforeAll(async () => {
    fixture.sim = createSimulator(options);
    fixture.base = (await fixture.sim.listen()).url;
  });
  afterAll(() => fixture.sim.close());
  return fixture;
}

/** Scopes of one project: `scope(imageType, enterpriseProjectId = '0')`. */
export function scopesOf(projectId: string) {
  return (imageType: SimScope['imageType'], enterpriseProjectId = '0'): SimScope => ({
    projectId,
    enterpriseProjectId,
    imageType,
  });
}

/** An answer of the simulator: status, body text, parsed JSON (null when not JSON) and request id. */
export interface SimAnswer<J> {
  status: number;
  text: string;
  json: J;
  requestId: string | null;
}

/** GET `/v5/{project}/{pathAndQuery}` with the simulator's default token. */
export async function getV5<J = Record<string, unknown>>(
  base: string,
  project: string,
  pathAndQuery: string,
): Promise<SimAnswer<J>> {
  const r = await fetch(`${base}/v5/${project}/${pathAndQuery}`, {
    headers: { 'X-Auth-Token': 'sim-token' },
  });
  const text = await r.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: callers assert on text
  }
  return { status: r.status, text, json: json as J, requestId: r.headers.get('x-request-id') };
}
