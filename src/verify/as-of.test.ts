import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AS_OF_FORM, asOfHead, asOfHeader, asOfLine } from './as-of.js';
import { type ChainVersion, closeCanonical, openCanonical, sha256 } from './canonical.js';

const RUN1 = '00000000-0000-4000-8000-000000000001';
const RUN2 = '00000000-0000-4000-8000-000000000002';
const v: ChainVersion = {
  values: [
    'proj-1',
    '0',
    'private_image',
    'sha256:abc',
    'CentOS 7',
    'CentOS 7',
    'cn_standard',
    'High',
    40,
    3,
    'd',
  ],
  validFrom: '2026-03-01T08:00:00.250000Z',
  validTo: '2026-03-02T08:00:00.000000Z',
  openedRunId: RUN1,
  closedRunId: RUN2,
  prevHash: null,
  scannedAt: '2026-02-28T23:59:59.500000Z',
  sourceApi: 'ListImageRiskConfigs',
};

describe('the as-of digest form (a contract kept for ever: digests filed years ago are checked with it)', () => {
  it('a version still open at T contributes its open hash, recomputed from its content', () => {
    const open = sha256(openCanonical('baseline', v));
    expect(asOfHead('baseline', v, '2026-03-02T07:59:59.999999Z').equals(open)).toBe(true);
    // The stored chain_hash plays no part: a sealed hash stored with the row changes nothing.
    expect(
      asOfHead('baseline', { ...v, validTo: null, closedRunId: null }, '2026-03-05T00:00:00.000000Z'),
    ).toEqual(open);
  });

  it('a version closed by T contributes its sealed hash (valid_to = T counts as closed)', () => {
    const open = sha256(openCanonical('baseline', v));
    const sealed = sha256(closeCanonical(open, v.validTo!, RUN2));
    expect(asOfHead('baseline', v, '2026-03-02T08:00:00.000000Z').equals(sealed)).toBe(true);
    expect(asOfHead('baseline', v, '2027-01-01T00:00:00.000000Z').equals(sealed)).toBe(true);
    expect(sealed.toString('hex')).toBe(PINNED_SEALED);
  });

  it('pins the text and its SHA-256', () => {
    const t = '2026-03-02T00:00:00.000000Z';
    const head = asOfHead('baseline', v, t);
    const text = `${asOfHeader(t)}${asOfLine('baseline', '3b5d5c37-1b0d-4a4a-9d5e-000000000001', head)}`;
    expect(AS_OF_FORM).toBe('hss-asof-v1');
    expect(text).toBe(
      `hss-asof-v1|2026-03-02T00:00:00.000000Z\nbaseline|3b5d5c37-1b0d-4a4a-9d5e-000000000001|${head.toString('hex')}\n`,
    );
    expect(head.toString('hex')).toBe(PINNED_HEAD);
    expect(createHash('sha256').update(text, 'utf8').digest('hex')).toBe(PINNED_DIGEST);
  });
});

// The open and sealed hashes were computed by the SQL functions of the migrations
// (hss_internal.baseline_version_hash, chain_close; PostgreSQL 15): the digest's heads are the
// hashes the worker writes.
const PINNED_SEALED = '82a5785eb28dd9bc66a6f2643601f46beb8ad559eddc88274c1ef872572f1587';
const PINNED_HEAD = '2a68a06ede1da42acab3661d37d816c4dd262702b87bba77f8bc74ba7aa23350';
const PINNED_DIGEST = 'ce97d310a55fab149a8a239134787a718ba13dffcb35ff3635b39e2422073237';
