#!/usr/bin/env node
// Sums vitest JSON reports into the one closing line CI reads: `N passed, N failed`.
// Exits non-zero when a report is missing, unreadable, failed, or counted no test at all.
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let bad = false;
for (const f of files) {
  let r;
  try {
    r = JSON.parse(readFileSync(f, 'utf8'));
  } catch (err) {
    console.error(`cannot read vitest report ${f}: ${err.message}`);
    bad = true;
    continue;
  }
  const p = r.numPassedTests ?? 0;
  const x = (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
  console.error(`${f}: ${p} passed, ${x} failed, ${r.numPendingTests ?? 0} skipped`);
  if (p === 0) bad = true;
  passed += p;
  failed += x;
}
if (files.length === 0) bad = true;
console.log(`${passed} passed, ${failed} failed`);
process.exit(bad || failed > 0 ? 1 : 0);
