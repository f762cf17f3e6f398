/**
 * Every relative link of README.md, docs/*.md and migrations/README.md points at a file that
 * exists and, with `#anchor`, at a heading of that page (GitHub's anchors: lower case, spaces as
 * hyphens, punctuation but `-` and `_` dropped, a repeated heading numbered).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PAGES = [
  'README.md',
  'migrations/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The page without its fenced code blocks (a link there is an example, not a link). */
function prose(markdown: string): string {
  return markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, (block) => block.replace(/[^\n]/g, ''));
}

/** GitHub's anchor of a heading's text. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a page's headings. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(markdown).matchAll(/^#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** `file:line: target: problem` for every broken relative link of `file`. */
function brokenLinks(file: string, markdown: string, read: (path: string) => string | null): string[] {
  const out: string[] = [];
  const lines = prose(markdown).split('\n');
  lines.forEach((line, i) => {
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z+.-]*:/i.test(target)) continue;
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const resolved =
        path === ''
          ? file
          : normalize(join(dirname(file), path))
              .split('\\')
              .join('/');
      const text = path === '' ? markdown : read(resolved);
      if (text === null) out.push(`${file}:${i + 1}: ${target}: no file ${resolved}`);
      else if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(text).has(anchor)) {
        out.push(`${file}:${i + 1}: ${target}: no heading #${anchor} in ${resolved}`);
      }
    }
  });
  return out;
}

const readRepo = (path: string): string | null => {
  const full = join(ROOT, path);
  if (!existsSync(full)) return null;
  return path.endsWith('.md') ? readFileSync(full, 'utf8') : '';
};

describe('links of the docs', () => {
  it("computes GitHub's anchors", () => {
    expect(slug('Coverage: why an image has no results')).toBe('coverage-why-an-image-has-no-results');
    expect(slug("The hash chain's cost")).toBe('the-hash-chains-cost');
    expect(slug('16. Converges at the real limit')).toBe('16-converges-at-the-real-limit');
    expect(slug('Runs end `partial` (exit 2)')).toBe('runs-end-partial-exit-2');
    expect(slug('The history: valid_from and valid_to')).toBe('the-history-valid_from-and-valid_to');
    expect([...anchorsOf('# A\n## B\n```\n# not a heading\n```\n## B\n')]).toEqual(['a', 'b', 'b-1']);
  });

  it('every relative link and anchor resolves', () => {
    let links = 0;
    const broken = PAGES.flatMap((p) => {
      const text = readRepo(p)!;
      links += [...prose(text).matchAll(/\]\((?![a-z]+:)/g)].length;
      return brokenLinks(p, text, readRepo);
    });
    expect(links).toBeGreaterThan(60);
    expect(broken).toEqual([]);
  });

  it('reports a link to a missing file or heading', () => {
    const page = [
      'See [ops](operations.md#runbook), [gone](nowhere.md), [bad](sql.md#no-such-heading),',
      '[here](#top) and [web](https://example.com).',
      '```',
      '[in code](missing.md)',
      '```',
      '# Top',
    ].join('\n');
    expect(brokenLinks('docs/x.md', page, readRepo)).toEqual([
      'docs/x.md:1: nowhere.md: no file docs/nowhere.md',
      'docs/x.md:1: sql.md#no-such-heading: no heading #no-such-heading in docs/sql.md',
    ]);
  });
});
