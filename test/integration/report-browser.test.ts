/**
 * The report's page in a real browser (Debian's chromium, headless, driven by playwright-core):
 * it loads from file:// with no request anywhere else and no console error, the chart is there
 * as SVG with a bar per day and severity, every table on the page equals its CSV cell for cell,
 * and it prints to PDF. Hostile image names (a 30,000-character word, a bidi override with Arabic,
 * a formula, control characters) keep every table inside the page width and the text around
 * them in reading order. `UPDATE_SCREENSHOT=1` saves docs/img/report.png for docs/audit.md.
 * Without a browser the test is skipped and says why.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsFormulaGuard } from '../../src/report/csv.js';
import { parseCsv } from '../helpers/csv.js';
import {
  makeHostileNames,
  newOutDir,
  type ReportWorld,
  runReport,
  startReportWorld,
} from '../helpers/report-world.js';

/** A CSV cell as the page shows it: without the formula guard's quote. */
const unguard = (cell: string) =>
  cell.startsWith("'") && needsFormulaGuard(cell.slice(1)) ? cell.slice(1) : cell;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasBrowser = existsSync(CHROMIUM);
const skipReason = `skipped: no browser at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
if (!hasBrowser) console.warn(`report-browser.test.ts ${skipReason}`);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!hasBrowser)('the report page in chromium', () => {
  let rw: ReportWorld;
  let out: string;
  let profile: string;
  let context: BrowserContext;

  beforeAll(async () => {
    rw = await startReportWorld({ imagesPerScope: 6 });
    const args = ['--as-of', rw.asOf.toISOString(), '--days', '7', '--out'];
    const first = newOutDir();
    expect((await runReport(rw.w.t.url, [...args, first])).code).toBe(0);
    const [, ...worst] = parseCsv(readFileSync(join(first, 'worst-images.csv'), 'utf8'));
    await makeHostileNames(
      rw.w,
      worst.map((r) => r[3] as string),
    );
    out = newOutDir();
    const r = await runReport(rw.w.t.url, [...args, out]);
    expect(r.code).toBe(0);
    profile = mkdtempSync(join(tmpdir(), 'hss-report-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 1700 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await rw?.close();
  });

  it(`renders with no console error and no request but the file itself (${hasBrowser ? 'chromium' : skipReason})`, async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(join(out, 'index.html')).href;
    await page.goto(url, { waitUntil: 'load' });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.locator('[data-meta="as of"]').textContent()).toBe(rw.asOf.toISOString());

    // The chart: an SVG with one bar per observed day and severity (6 severities), visible and sized.
    const svg = page.locator('figure[data-chart="daily-failed-items"] > svg');
    expect(await svg.count()).toBe(1);
    const days = parseCsv(readFileSync(join(out, 'daily-failed-items.csv'), 'utf8')).length - 1;
    expect(days).toBeGreaterThan(0);
    expect(await svg.locator('path[aria-label^="day (UTC): "]').count()).toBe(6 * days);
    const box = await svg.boundingBox();
    expect(box?.width).toBeGreaterThan(600);
    expect(box?.height).toBeGreaterThan(200);

    if (process.env.UPDATE_SCREENSHOT === '1') {
      mkdirSync('docs/img', { recursive: true });
      await page.screenshot({ path: 'docs/img/report.png', fullPage: false });
    }
    await page.close();
  });

  it('shows every table exactly as its CSV, cell for cell', async () => {
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(out, 'index.html')).href);
    const tables = await page.locator('table[data-table]').evaluateAll((els) =>
      els.map((t) => ({
        name: t.getAttribute('data-table') ?? '',
        rows: Number(t.getAttribute('data-rows')),
        header: [...t.querySelectorAll('thead th')].map((th) => th.getAttribute('data-key') ?? ''),
        body: [...t.querySelectorAll('tbody tr')].map((tr) =>
          [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
        ),
      })),
    );
    expect(tables.map((t) => t.name)).toEqual([
      'coverage',
      'posture',
      'daily-failed-items',
      'worst-images',
      'changes',
      'fixes-and-regressions',
      'failing-rules',
      'freshness',
    ]);
    for (const t of tables) {
      const [header, ...rows] = parseCsv(readFileSync(join(out, `${t.name}.csv`), 'utf8'));
      expect(t.header, t.name).toEqual(header);
      expect(t.rows, t.name).toBe(rows.length);
      if (rows.length > 0) expect(t.body, t.name).toEqual(rows.map((row) => row.map(unguard)));
    }
    // The hostile remediation (CR LF, quotes, commas, markup, Chinese) arrived as text.
    const rules = tables.find((t) => t.name === 'failing-rules');
    expect(rules?.body[0]?.at(-1)).toMatch(
      /\r\n修复：运行 "sysctl -w kernel\.x=1", 然后 <b>重启<\/b> & 检查$/,
    );
    expect(await page.locator('td b').count()).toBe(0);
    await page.close();
  });

  it('hostile strings: every table fits the page width, and text around a bidi override reads left to right', async () => {
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(out, 'index.html')).href);
    // The folded table of the chart is measured too.
    await page.locator('details').evaluateAll((els) => {
      for (const d of els) d.setAttribute('open', '');
    });
    // Browser code as text: this project's TypeScript has no DOM library.
    const widths = await page.evaluate<{
      page: number;
      doc: number;
      tables: { name: string; width: number; right: number }[];
    }>(`({
      page: document.documentElement.clientWidth,
      doc: document.documentElement.scrollWidth,
      tables: [...document.querySelectorAll('table')].map((t) => ({
        name: t.getAttribute('data-table') ?? 'other',
        width: t.scrollWidth,
        right: t.getBoundingClientRect().right,
      })),
    })`);
    expect(widths.tables.length).toBeGreaterThanOrEqual(8);
    for (const t of widths.tables) {
      expect(t.width, t.name).toBeLessThanOrEqual(widths.page);
      expect(t.right, t.name).toBeLessThanOrEqual(widths.page);
    }
    expect(widths.doc).toBeLessThanOrEqual(widths.page);
    // The cell with the override: it shows as text, and every piece keeps its reading order.
    const order = await page.evaluate(`(() => {
      const td = [...document.querySelectorAll('td')].find((c) => c.textContent?.includes('exe.txt'));
      const text = td?.firstChild;
      if (!td || !text || text.nodeType !== Node.TEXT_NODE) return null;
      const s = text.textContent ?? '';
      const box = (i) => {
        const r = document.createRange();
        r.setStart(text, i);
        r.setEnd(text, i + 1);
        const b = r.getBoundingClientRect();
        return { left: b.left, top: Math.round(b.top) };
      };
      /** Whether the characters from..to are laid out left to right (line by line). */
      const ltr = (from, to) => {
        for (let i = from + 1; i < to; i++) {
          const [a, b] = [box(i - 1), box(i)];
          if (a.top === b.top ? !(b.left > a.left) : !(b.top > a.top)) return false;
        }
        return true;
      };
      const word = s.indexOf('exe.txt');
      const label = s.lastIndexOf(':v1');
      const arabic = s.indexOf('مرحبا');
      return {
        text: s,
        word: ltr(word, word + 7),
        label: ltr(label, label + 3),
        labelAfterArabic: box(label).left > Math.max(...[0, 1, 2, 3, 4].map((k) => box(arabic + k).left)),
      };
    })()`);
    expect(order).toEqual({
      text: '\\u202eexe.txt\\u202c مرحبا:v1',
      word: true,
      label: true,
      labelAfterArabic: true,
    });
    await page.close();
  });

  it('prints to PDF', async () => {
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(out, 'index.html')).href);
    const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(20_000);
    await page.close();
  });
});
