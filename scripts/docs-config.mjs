#!/usr/bin/env node
// Rewrites the configuration table in README.md from src/config/env-spec.ts (via the build in dist/).
import { readFileSync, writeFileSync } from 'node:fs';
import { injectConfigTable } from '../dist/config/docs.js';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = injectConfigTable(before);
if (after !== before) writeFileSync(path, after);
console.log(
  after === before ? 'README.md configuration table is current' : 'README.md configuration table updated',
);
