import { defineConfig } from 'vitest/config';

// Three projects: pure unit tests (no I/O beyond loopback mocks); integration tests against
// real PostgreSQL and the simulator over HTTP (each file gets its own database); container tests
// (test/container: the image and the compose stack on a Docker engine; each skips, saying why,
// when no engine answers).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'container',
          include: ['test/container/**/*.test.ts'],
          environment: 'node',
          // An image build (minutes when nothing is cached), a compose stack's first sync.
          testTimeout: 300_000,
          hookTimeout: 900_000,
          pool: 'forks',
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
