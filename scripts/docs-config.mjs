#!/usr/bin/env node
// Rewrites the configuration table in docs/operations.md from src/config/env-spec.ts (via the build in dist/).
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_DOC, injectConfigTable } from '../dist/config/docs.js';

const path = new URL(`../${CONFIG_DOC}`, import.meta.url);
const before = readFileSync(path, 'utf8');
const after = injectConfigTable(before);
if (after !== before) writeFileSync(path, after);
console.log(`${CONFIG_DOC} configuration table ${after === before ? 'is current' : 'updated'}`);
