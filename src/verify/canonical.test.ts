import { describe, expect, it } from 'vitest';
import {
  type ChainVersion,
  canonicalInstant,
  chainField,
  closeCanonical,
  openCanonical,
  sha256,
  versionHash,
} from './canonical.js';
import { formatVerifySummary, parseSince } from './command.js';

// The expected hashes were computed by the SQL functions of the migration (PostgreSQL 15,
// hss_internal.baseline_version_hash, rule_version_hash, chain_close): TypeScript and SQL agree.
const RUN1 = '00000000-0000-4000-8000-000000000001';

const baseline: ChainVersion = {
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
    'desc, "quoted" | 中文',
  ],
  validFrom: '2026-03-01T08:00:00.250000Z',
  validTo: null,
  openedRunId: RUN1,
  closedRunId: null,
  prevHash: null,
};

describe('canonical form', () => {
  it('encodes a field as its UTF-8 byte length and text, NULL as -', () => {
    expect(chainField(null)).toBe('-');
    expect(chainField('')).toBe('0:');
    expect(chainField('a|b')).toBe('3:a|b');
    expect(chainField('中文')).toBe('6:中文');
    expect(chainField('🚫')).toBe('4:🚫');
    expect(chainField(40)).toBe('2:40');
    expect(chainField(-5)).toBe('2:-5');
    expect(chainField(0)).toBe('1:0');
  });

  it('turns PostgreSQL ISO UTC text into a UTC instant with six fraction digits', () => {
    expect(canonicalInstant('2026-03-01 08:00:00+00')).toBe('2026-03-01T08:00:00.000000Z');
    expect(canonicalInstant('2026-03-01 08:00:00.25+00')).toBe('2026-03-01T08:00:00.250000Z');
    expect(canonicalInstant('2026-03-01 08:00:00.123456+00')).toBe('2026-03-01T08:00:00.123456Z');
    expect(() => canonicalInstant('2026-03-01 09:00:00+01')).toThrow(
      'unexpected timestamptz text "2026-03-01 09:00:00+01" (DateStyle ISO, TimeZone UTC)',
    );
    expect(() => canonicalInstant('2026-03-01T08:00:00Z')).toThrow('unexpected timestamptz text');
  });

  it('writes the open form of a baseline version field by field', () => {
    expect(openCanonical('baseline', baseline)).toBe(
      'hss-chain-v1|baseline|-|6:proj-1|1:0|13:private_image|10:sha256:abc|8:CentOS 7|8:CentOS 7|11:cn_standard|4:High|2:40|1:3|23:desc, "quoted" | 中文|27:2026-03-01T08:00:00.250000Z|36:00000000-0000-4000-8000-000000000001',
    );
    expect(closeCanonical(Buffer.alloc(32, 1), '2026-03-02T00:00:00.000000Z', null)).toBe(
      `hss-chain-v1|close|64:${'01'.repeat(32)}|27:2026-03-02T00:00:00.000000Z|-`,
    );
  });

  it('hashes as the SQL functions do (fixed vectors)', () => {
    expect(versionHash('baseline', baseline).toString('hex')).toBe(
      '113a6fd606f551c76653ef22df21564c0647c1795a8ab94106912f0ae5e7d49c',
    );
    const linked: ChainVersion = {
      values: [
        'proj-1',
        '0',
        'private_image',
        'sha256:abc',
        'CentOS 7',
        '',
        'cn_standard',
        null,
        null,
        0,
        null,
      ],
      validFrom: '2026-03-01T08:00:00.123456Z',
      validTo: null,
      openedRunId: null,
      closedRunId: null,
      prevHash: Buffer.from('ab'.repeat(32), 'hex'),
    };
    expect(versionHash('baseline', linked).toString('hex')).toBe(
      'ecf201c469f76cd3f9453d795c2ffa501fbe49f128af311fe8351a343716d136',
    );
    const rule: ChainVersion = {
      values: [
        'p',
        '0',
        'local_image',
        'img',
        'Debian 10',
        'Debian 10',
        'hw_standard',
        'R1',
        'SSH root 🚫',
        'High',
        'failed',
      ],
      validFrom: '2026-01-02T03:04:05.000000Z',
      validTo: null,
      openedRunId: '00000000-0000-4000-8000-000000000002',
      closedRunId: null,
      prevHash: null,
    };
    expect(versionHash('rule', rule).toString('hex')).toBe(
      '0112a9091c46aa36d0d4de3ebc01638d104e81cf53c891890fd0c630b3237ba8',
    );
    const open = Buffer.alloc(32, 1);
    expect(
      sha256(
        closeCanonical(open, '2026-03-02T00:00:00.000000Z', '00000000-0000-4000-8000-000000000003'),
      ).toString('hex'),
    ).toBe('1736c2d083ad53a2dce73823df3407b90aaa4fe79cfdf9b75a46fba9fed97a49');
    expect(sha256(closeCanonical(open, '2026-03-02T00:00:00.000001Z', null)).toString('hex')).toBe(
      'ac006fbec8fbd252ba68ec5d7d858f0636573b74a21462c6fdf02f3e3b50bdbd',
    );
  });

  it('seals a closed version: its hash is the close form over its open hash', () => {
    const closed = { ...baseline, validTo: '2026-03-02T00:00:00.000000Z', closedRunId: RUN1 };
    const open = versionHash('baseline', baseline);
    expect(versionHash('baseline', closed)).toEqual(sha256(closeCanonical(open, closed.validTo, RUN1)));
    // Any value, the link or a validity bound changes the hash.
    const variants: ChainVersion[] = [
      { ...closed, values: closed.values.map((v, i) => (i === 9 ? 4 : v)) },
      { ...closed, prevHash: Buffer.alloc(32) },
      { ...closed, validTo: '2026-03-02T00:00:00.000001Z' },
      { ...closed, closedRunId: null },
      { ...closed, openedRunId: null },
    ];
    const hashes = new Set([closed, ...variants].map((v) => versionHash('baseline', v).toString('hex')));
    expect(hashes.size).toBe(6);
    // The history is part of the form: the same fields hash differently as a rule.
    expect(versionHash('rule', baseline)).not.toEqual(versionHash('baseline', baseline));
  });
});

describe('canonical form v2: provenance (scanned_at, source_api)', () => {
  const scanned = '2026-02-28T23:59:59.500000Z';

  it('keeps the v1 form when neither is set, so versions written before verify unchanged', () => {
    const v1 = openCanonical('baseline', baseline);
    expect(openCanonical('baseline', { ...baseline, scannedAt: null, sourceApi: null })).toBe(v1);
    expect(v1.startsWith('hss-chain-v1|baseline|')).toBe(true);
  });

  it('appends both fields under the tag hss-chain-v2 when either is set', () => {
    expect(
      openCanonical('baseline', { ...baseline, scannedAt: scanned, sourceApi: 'ListImageRiskConfigs' }),
    ).toBe(
      'hss-chain-v2|baseline|-|6:proj-1|1:0|13:private_image|10:sha256:abc|8:CentOS 7|8:CentOS 7|11:cn_standard|4:High|2:40|1:3|23:desc, "quoted" | 中文|27:2026-03-01T08:00:00.250000Z|36:00000000-0000-4000-8000-000000000001|27:2026-02-28T23:59:59.500000Z|20:ListImageRiskConfigs',
    );
    expect(openCanonical('baseline', { ...baseline, sourceApi: 'ListCheckRulesInfo' })).toMatch(
      /\|36:00000000-0000-4000-8000-000000000001\|-\|18:ListCheckRulesInfo$/,
    );
  });

  it('hashes as the SQL functions do, form v2 (fixed vectors)', () => {
    const hash = (v: ChainVersion, h: 'baseline' | 'rule' = 'baseline') => versionHash(h, v).toString('hex');
    expect(hash({ ...baseline, scannedAt: scanned, sourceApi: 'ListImageRiskConfigs' })).toBe(
      'b27ff1e459f9bbc1539e15e473bce4598632223181cc7a7290900d165914c3b9',
    );
    expect(hash({ ...baseline, scannedAt: null, sourceApi: 'ListCheckRulesInfo' })).toBe(
      '3baff8d9e72a5c79c736322c9685eb9af0e4d1a31b8a02fca22479873ebc3b23',
    );
    expect(hash({ ...baseline, scannedAt: scanned, sourceApi: null })).toBe(
      '9f70a53e832181c7065afa43ae5bb757aeb52eb4df979a101af8d56d7384f1a2',
    );
    expect(hash({ ...baseline, scannedAt: null, sourceApi: null })).toBe(
      '113a6fd606f551c76653ef22df21564c0647c1795a8ab94106912f0ae5e7d49c',
    );
    const rule: ChainVersion = {
      values: [
        'proj-1',
        '0',
        'cicd',
        'sha256:abc',
        'CentOS 7',
        'CentOS 7',
        'cn_standard',
        'rule-1',
        'Password policy',
        'High',
        'failed',
      ],
      validFrom: '2026-03-01T08:00:00.000000Z',
      validTo: null,
      openedRunId: '00000000-0000-4000-8000-000000000002',
      closedRunId: null,
      prevHash: Buffer.alloc(32),
      scannedAt: '2026-03-01T07:00:00.000000Z',
      sourceApi: 'ListCheckRulesInfo',
    };
    expect(hash(rule, 'rule')).toBe('4cfb7649a126937aafdceddb663a9193af366d5432d3202f84d7c503679ae774');
  });
});

describe('verify arguments and summary', () => {
  it('accepts an ISO date or a date-time with a zone, nothing else', () => {
    expect(parseSince('2026-03-01')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseSince('2026-03-01T08:00:00Z')?.toISOString()).toBe('2026-03-01T08:00:00.000Z');
    expect(parseSince('2026-03-01T08:00:00.5+01:00')?.toISOString()).toBe('2026-03-01T07:00:00.500Z');
    expect(parseSince('2026-03-01T08:00:00')).toBeNull();
    expect(parseSince('yesterday')).toBeNull();
    expect(parseSince('2026-13-01')).toBeNull();
  });

  it('summarises on one line', () => {
    expect(
      formatVerifySummary({
        intact: false,
        since: '2026-03-01T00:00:00.000Z',
        versions: 12,
        keys: 5,
        brokenCount: 1,
        broken: [],
        histories: {
          baseline: { versions: 8, keys: 3, broken: 1 },
          rule: { versions: 4, keys: 2, broken: 0 },
        },
        digest: 'ff',
      }),
    ).toBe(
      'verify BROKEN versions=12 keys=5 broken=1 baseline=8/3 rule=4/2 since=2026-03-01T00:00:00.000Z digest=ff',
    );
  });
});
