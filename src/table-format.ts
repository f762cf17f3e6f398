/** Rows as an aligned text table for people at a terminal (`status`, `demo`). */

/** Prints rows as an aligned text table (cells cut to 48 characters, one line each). */
export function formatTable(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '  (no rows)\n';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
    const one = s.replace(/[\r\n\t\u0000]/g, ' ');
    return one.length > 48 ? `${one.slice(0, 47)}…` : one;
  };
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => `  ${vals.map((v, i) => v.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return `${[line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n')}\n`;
}
