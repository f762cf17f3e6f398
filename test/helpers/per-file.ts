/**
 * A fixture made once per test file (or describe block): `const t = perFile(create, dispose)`
 * registers beforeAll(create) and afterAll(dispose) and returns a stand-in that forwards to the
 * fixture once it exists (reading it before beforeAll ran throws).
 */
import { afterAll, beforeAll } from 'vitest';

export function perFile<T extends object>(
  create: () => Promise<T>,
  dispose: (fixture: T) => Promise<void>,
  setup?: (fixture: T) => Promise<void>,
): T {
  let fixture: T | undefined;
  beforeAll(async () => {
    fixture = await create();
    await setup?.(fixture);
  });
  afterAll(async () => {
    if (fixture) await dispose(fixture);
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (!fixture) throw new Error(`test fixture read before its beforeAll ran (${String(key)})`);
      return Reflect.get(fixture, key);
    },
  });
}
