/**
 * One SyncStore contract (test/helpers/store-contract.ts), two stores: the PostgreSQL store on a
 * real database and the in-memory store the engine's unit tests run on. The memory store answers
 * what the PostgreSQL one answers, so a unit test on it proves something about the real one.
 */
import { MemoryStore } from '../../src/sync/memory-store.test-helper.js';
import { createPgStore } from '../../src/sync/pg-store.js';
import { useTestDatabase } from '../helpers/db.js';
import { freshScope, syncStoreContract } from '../helpers/store-contract.js';

const t = useTestDatabase();

syncStoreContract('PostgreSQL', async () => ({ store: createPgStore(t.handle), scope: freshScope() }));
syncStoreContract('memory', async () => ({ store: new MemoryStore(), scope: freshScope() }));
