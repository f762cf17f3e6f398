/**
 * The integration server choice on a real engine that cannot give the image: an image name no
 * registry holds makes the pull fail (offline, a mirror without it, a typo) the way
 * `registry-1.docker.io` unreachable does. `auto` falls back to embedded PostgreSQL after one
 * line; `container` stops with one line. A container that starts but never logs "ready" falls
 * back the same way. Skipped, saying why, when no engine answers.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultDeps,
  type Server,
  selectServer,
  startPostgresContainer,
  TestServerError,
} from '../helpers/pg-server.js';
import { buildImage, engineProblem, IMAGE, must } from './docker.js';

const ROOT = resolve(import.meta.dirname, '../..');
const problem = await engineProblem();
// A registry name that cannot resolve (.invalid is reserved), so no engine ever finds it.
const MISSING = `registry.invalid/hss-test/postgres-missing:${randomBytes(3).toString('hex')}`;

describe.skipIf(problem)('testcontainers on an engine that cannot pull the image', () => {
  it('rejects the container start with the engine error', async () => {
    const err = await startPostgresContainer(MISSING).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err.message)).toMatch(/registry\.invalid|no such host|not found|pull access denied/i);
  });

  it('auto: falls back to embedded PostgreSQL after one line saying why', async () => {
    const lines: string[] = [];
    const embedded: Server = { url: 'postgres://embedded', description: 'embedded', stop: async () => {} };
    const deps = { ...defaultDeps(), startEmbedded: async () => embedded, log: (l: string) => lines.push(l) };
    const server = await selectServer({ TEST_POSTGRES: 'auto', TEST_POSTGRES_IMAGE: MISSING }, deps);
    console.log(`[container] the fallback line: ${lines[0]}`);
    expect(server).toBe(embedded);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^\\[integration\\] testcontainers could not start ${MISSING.replace(/[.]/g, '\\.')} \\(.+\\); falling back to embedded PostgreSQL 17$`,
      ),
    );
    expect(lines[0]).not.toContain('\n');
  });

  it('container: stops with one line instead of falling back', async () => {
    const deps = { ...defaultDeps(), startEmbedded: async () => expect.fail('embedded must not start') };
    const err = await selectServer({ TEST_POSTGRES: 'container', TEST_POSTGRES_IMAGE: MISSING }, deps).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(TestServerError);
    expect(err.message).toMatch(
      new RegExp(`^TEST_POSTGRES=container but ${MISSING.replace(/[.]/g, '\\.')} could not be started: `),
    );
    expect(err.message).not.toContain('\n');
  });

  it('leaves no container of the missing image behind', async () => {
    const out = await must('docker', ['ps', '-a', '-q', '--filter', `ancestor=${MISSING}`]);
    expect(out.trim()).toBe('');
  });

  it('auto: a container that starts but never gets ready falls back too, and is removed', async () => {
    // The project's own image is no PostgreSQL: it exits before any "ready" line.
    await buildImage(ROOT);
    const lines: string[] = [];
    const embedded: Server = { url: 'postgres://embedded', description: 'embedded', stop: async () => {} };
    const deps = { ...defaultDeps(), startEmbedded: async () => embedded, log: (l: string) => lines.push(l) };
    const server = await selectServer({ TEST_POSTGRES_IMAGE: IMAGE }, deps);
    expect(server).toBe(embedded);
    expect(lines).toEqual([
      `[integration] testcontainers could not start ${IMAGE} (Log stream ended and message "/database system is ready to accept connections/" was not received); falling back to embedded PostgreSQL 17`,
    ]);
    const left = await must('docker', ['ps', '-a', '-q', '--filter', `ancestor=${IMAGE}`]);
    expect(left.trim()).toBe('');
  });
});

if (problem)
  describe('testcontainers on an engine that cannot pull the image', () => {
    it.skip(`skipped: ${problem}`, () => {});
  });
