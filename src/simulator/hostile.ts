/**
 * Hostile values the world plants on a few deterministic rows of every scope, so the client,
 * the writer and the database meet them in every test and demo run.
 */
import type { SimRiskRow } from './baseline.js';

/** Exactly the documented maximum length of check_type_desc (BMP characters only: length = chars). */
export const MAX_DESC_LENGTH = 65_534;

function longDescription(): string {
  const unit = 'Baseline 基线检查 item; ';
  return unit.repeat(Math.ceil(MAX_DESC_LENGTH / unit.length)).slice(0, MAX_DESC_LENGTH);
}

/** Each kind of hostility and how it changes a row. */
export const HOSTILE_KINDS: readonly { kind: string; apply: (row: SimRiskRow) => void }[] = [
  {
    kind: 'chinese',
    apply: (r) => {
      r.checkTypeDesc = '该基线主要检查镜像的系统配置项和SSH应用配置项，适用于等保合规（三级）场景。';
    },
  },
  {
    kind: 'numeric-check-type',
    apply: (r) => {
      r.checkType = '3';
      r.checkTypeNumeric = true;
    },
  },
  {
    kind: 'emoji',
    apply: (r) => {
      r.checkTypeDesc =
        'Container hardening 🔒🐳 — passwords ✅, SSH root login ❌, 👩‍💻 family emoji, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.';
    },
  },
  {
    kind: 'newlines-tabs',
    apply: (r) => {
      r.checkTypeDesc = 'Line one\nLine two\r\n\tindented\tcolumn\n\nlast line ';
    },
  },
  {
    kind: 'max-length',
    apply: (r) => {
      r.checkTypeDesc = longDescription();
    },
  },
  {
    kind: 'nul',
    apply: (r) => {
      r.checkTypeDesc = 'before NUL\u0000after NUL';
    },
  },
  {
    kind: 'quotes-backslashes',
    apply: (r) => {
      r.checkTypeDesc = `He said "don't" use C:\\Windows\\System32 or \\n; a '\\"quoted\\"' path \\\\server\\share`;
    },
  },
  {
    kind: 'omitted-desc',
    apply: (r) => {
      r.checkTypeDesc = null;
    },
  },
  {
    kind: 'empty-desc',
    apply: (r) => {
      r.checkTypeDesc = '';
    },
  },
  {
    kind: 'numeric-check-type-0',
    apply: (r) => {
      r.checkType = '0';
      r.checkTypeNumeric = true;
    },
  },
];

/**
 * Plants every hostile kind on rows spread evenly over `rows` (the scope's result rows in listing
 * order). With fewer rows than kinds, the later kinds are left out.
 * A numeric check_type is applied to every row of that image with the same check name, so keys
 * stay distinct within the image. Returns the planted kinds in order.
 */
export function plantHostile(rows: { row: SimRiskRow; siblings: SimRiskRow[] }[]): string[] {
  const planted: string[] = [];
  const n = rows.length;
  const k = HOSTILE_KINDS.length;
  HOSTILE_KINDS.forEach((hostile, i) => {
    if (i >= n) return;
    const at = n >= k ? Math.floor(((i + 0.5) * n) / k) : i;
    const target = rows[at];
    if (!target) return;
    if (hostile.kind.startsWith('numeric-check-type')) {
      for (const sib of target.siblings) if (sib.checkName === target.row.checkName) hostile.apply(sib);
    } else {
      hostile.apply(target.row);
    }
    planted.push(hostile.kind);
  });
  return planted;
}
