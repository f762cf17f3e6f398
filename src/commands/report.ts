/**
 * `report`: evidence of the posture as of an instant (src/report/command.ts). Its manifest says
 * whether the history hash chain held, checked in the same snapshot as the evidence, names
 * the broken links as `verify` does, and carries the digest of the history at the instant
 * (`verify --as-of`).
 */

import { cmdReport } from '../report/command.js';
import { BROKEN_LINKS_LISTED } from '../report/manifest.js';
import { asOfDigestIn } from '../verify/as-of.js';
import { verifyChainIn } from '../verify/chain.js';
import type { CliIo } from './types.js';

export function run(io: CliIo, args: string[]): Promise<number> {
  return cmdReport(io, args, {
    verifier: async (db, { asOfText }) => {
      const r = await verifyChainIn(db, { maxBroken: BROKEN_LINKS_LISTED });
      const d = await asOfDigestIn(db, asOfText);
      return {
        asOfDigest: { form: d.form, sha256: d.digest, keys: d.keys },
        intact: r.intact,
        broken: r.brokenCount,
        links: r.broken.map((b) => ({
          history: b.history,
          kind: b.kind,
          key: b.key,
          version_id: b.versionId,
          valid_from: b.validFrom,
        })),
      };
    },
  });
}
