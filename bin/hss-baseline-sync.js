#!/usr/bin/env node
// The package is compiled to dist/ by `npm ci` (the `prepare` script); this shim only loads it.
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`hss-baseline-sync: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
