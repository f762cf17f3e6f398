/**
 * The integration tests' server choice (test/helpers/pg-server.ts) with stand-in starters: which
 * server each TEST_POSTGRES value gives, and the one line a fallback prints. The real container
 * path (a pull that fails) is exercised in test/container/pg-fallback.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  parseServerChoice,
  type Server,
  type ServerDeps,
  selectServer,
  TestServerError,
} from '../helpers/pg-server.js';

interface Fake {
  deps: ServerDeps;
  calls: string[];
  lines: string[];
}

function fake(opts: { engine: boolean; container: 'ok' | Error }): Fake {
  const calls: string[] = [];
  const lines: string[] = [];
  const server = (description: string): Server => ({
    url: 'postgres://x@h/p',
    description,
    stop: async () => {},
  });
  return {
    calls,
    lines,
    deps: {
      runtimeAnswers: async () => {
        calls.push('ping');
        return opts.engine;
      },
      startContainer: async (image) => {
        calls.push(`container ${image}`);
        if (opts.container instanceof Error) throw opts.container;
        return server(`testcontainers ${image}`);
      },
      startEmbedded: async () => {
        calls.push('embedded');
        return server('embedded');
      },
      log: (line) => lines.push(line),
    },
  };
}

const pullError = new Error(
  '(HTTP code 500) server error - Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host\n    at Modem.buildRequest',
);

describe('the integration server choice', () => {
  it('auto: a container when the engine answers and the image starts, silently', async () => {
    const f = fake({ engine: true, container: 'ok' });
    const s = await selectServer({}, f.deps);
    expect(s.description).toBe('testcontainers postgres:17');
    expect(f.calls).toEqual(['ping', 'container postgres:17']);
    expect(f.lines).toEqual([]);
  });

  it('auto: embedded, silently, when no engine answers', async () => {
    const f = fake({ engine: false, container: 'ok' });
    expect((await selectServer({ TEST_POSTGRES: 'auto' }, f.deps)).description).toBe('embedded');
    expect(f.calls).toEqual(['ping', 'embedded']);
    expect(f.lines).toEqual([]);
  });

  it('auto: embedded after ONE line with the reason when the engine answers but the image cannot be pulled', async () => {
    const f = fake({ engine: true, container: pullError });
    const s = await selectServer({ TEST_POSTGRES_IMAGE: 'registry.invalid/pg:0' }, f.deps);
    expect(s.description).toBe('embedded');
    expect(f.calls).toEqual(['ping', 'container registry.invalid/pg:0', 'embedded']);
    expect(f.lines).toEqual([
      '[integration] testcontainers could not start registry.invalid/pg:0 ((HTTP code 500) server error - Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host); falling back to embedded PostgreSQL 17',
    ]);
  });

  it('auto: a wait timeout falls back too, its long message cut to one bounded line', async () => {
    const f = fake({
      engine: true,
      container: new Error(`Log message "ready" not received after 90000ms ${'x'.repeat(500)}`),
    });
    await selectServer({}, f.deps);
    expect(f.lines).toHaveLength(1);
    expect(f.lines[0]).toContain('Log message "ready" not received after 90000ms');
    expect(f.lines[0]).not.toContain('\n');
    expect(f.lines[0]!.length).toBeLessThan(420);
  });

  it('embedded: never asks the container engine', async () => {
    const f = fake({ engine: true, container: 'ok' });
    expect((await selectServer({ TEST_POSTGRES: 'embedded' }, f.deps)).description).toBe('embedded');
    expect(f.calls).toEqual(['embedded']);
  });

  it('container: a failure stops the run with one line instead of falling back', async () => {
    const f = fake({ engine: true, container: pullError });
    const err = await selectServer({ TEST_POSTGRES: 'container' }, f.deps).catch((e) => e);
    expect(err).toBeInstanceOf(TestServerError);
    expect(err.message).toBe(
      'TEST_POSTGRES=container but postgres:17 could not be started: (HTTP code 500) server error - Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host (use TEST_POSTGRES=auto to fall back to embedded PostgreSQL)',
    );
    expect(f.calls).toEqual(['ping', 'container postgres:17']);
  });

  it('container: no engine is an error naming the fix', async () => {
    const f = fake({ engine: false, container: 'ok' });
    await expect(selectServer({ TEST_POSTGRES: 'container' }, f.deps)).rejects.toThrow(
      'TEST_POSTGRES=container but no container engine answers: start Docker (or set DOCKER_HOST), or use TEST_POSTGRES=auto or embedded',
    );
    expect(f.calls).toEqual(['ping']);
  });

  it('TEST_DATABASE_URL wins over every TEST_POSTGRES value and starts nothing', async () => {
    const f = fake({ engine: true, container: 'ok' });
    const s = await selectServer(
      { TEST_DATABASE_URL: 'postgres://u:secret@db.example:6543/postgres', TEST_POSTGRES: 'container' },
      f.deps,
    );
    expect(s.description).toBe('TEST_DATABASE_URL (db.example:6543)');
    expect(f.calls).toEqual([]);
  });

  it('refuses an unknown TEST_POSTGRES value, naming the allowed ones', () => {
    expect(parseServerChoice(undefined)).toBe('auto');
    expect(parseServerChoice(' ')).toBe('auto');
    expect(() => parseServerChoice('docker')).toThrow(
      'TEST_POSTGRES="docker" is not a server choice: use auto (container, else embedded), container or embedded',
    );
  });
});
