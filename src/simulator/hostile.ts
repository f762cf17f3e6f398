/**
 * Hostile values the world plants on a few deterministic rows of every scope, so the client,
 * the writer and the database meet them in every test and demo run.
 */
import { randomBytes } from 'node:crypto';
import type { SimRiskRow } from './baseline.js';
import type { HostileValue } from './types.js';

/** Exactly the documented maximum length of check_type_desc (BMP characters only: length = chars). */
export const MAX_DESC_LENGTH = 65_534;

function longDescription(): string {
  const unit = 'Baseline 基线检查 item; ';
  return unit.repeat(Math.ceil(MAX_DESC_LENGTH / unit.length)).slice(0, MAX_DESC_LENGTH);
}

interface HostileKind {
  kind: string;
  apply: (row: SimRiskRow) => void;
}

/** A kind that sets check_type_desc (a function is called for each row it plants on). */
function desc(kind: string, text: string | null | (() => string)): HostileKind {
  return {
    kind,
    apply: (r) => {
      r.checkTypeDesc = typeof text === 'function' ? text() : text;
    },
  };
}

/** A kind that serialises check_type as a JSON number. */
function numericCheckType(kind: string, value: string): HostileKind {
  return {
    kind,
    apply: (r) => {
      r.checkType = value;
      r.checkTypeNumeric = true;
    },
  };
}

/** Each kind of hostility and how it changes a row. */
export const HOSTILE_KINDS: readonly HostileKind[] = [
  desc('chinese', '该基线主要检查镜像的系统配置项和SSH应用配置项，适用于等保合规（三级）场景。'),
  numericCheckType('numeric-check-type', '3'),
  desc('emoji', 'Container hardening 🔒🐳 — passwords ✅, SSH root login ❌, 👩‍💻 family emoji, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.'),
  desc('newlines-tabs', 'Line one\nLine two\r\n\tindented\tcolumn\n\nlast line '),
  desc('max-length', longDescription),
  desc('nul', 'before NUL\u0000after NUL'),
  desc(
    'quotes-backslashes',
    `He said "don't" use C:\\Windows\\System32 or \\n; a '\\"quoted\\"' path \\\\server\\share`,
  ),
  desc('omitted-desc', null),
  desc('empty-desc', ''),
  numericCheckType('numeric-check-type-0', '0'),
];

/**
 * Plants every hostile kind on rows spread evenly over `rows` (the scope's result rows in listing
 * order). With fewer rows than kinds, the later kinds are left out.
 * A numeric check_type is applied to every row of that image with the same check name, so keys
 * stay distinct within the image. Returns the planted kinds in order; `touched` receives the rows
 * planted on.
 */
export function plantHostile(
  rows: { row: SimRiskRow; siblings: SimRiskRow[] }[],
  touched?: Set<SimRiskRow>,
): string[] {
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
    touched?.add(target.row);
    planted.push(hostile.kind);
  });
  return planted;
}

/**
 * Plants the hostile values of `specs` that match this 200 answer of `api` (`imageId`: the
 * answer's image_id filter, for per-image APIs) and returns the body as JSON text, or null when
 * none matched (the answer goes out as usual). Raw values are written verbatim in place of a
 * placeholder, so the text may hold numbers and nesting no JavaScript value serialises to.
 */
export function plantValues(
  api: string,
  body: { data_list?: unknown[] } & Record<string, unknown>,
  imageId: string | undefined,
  specs: readonly HostileValue[],
  isList: boolean,
): string | null {
  const raws = new Map<string, string>();
  const nonce = randomBytes(6).toString('hex');
  const apply = (target: Record<string, unknown>, spec: HostileValue) => {
    Object.assign(target, spec.set ?? {});
    for (const field of spec.unset ?? []) delete target[field];
    for (const [field, text] of Object.entries(spec.raw ?? {})) {
      const placeholder = `sim-raw-${nonce}-${raws.size}`;
      raws.set(JSON.stringify(placeholder), text);
      target[field] = placeholder;
    }
  };
  let planted = false;
  for (const spec of specs) {
    if (spec.api !== api) continue;
    if (spec.at === 'page') {
      apply(body, spec);
      planted = true;
      continue;
    }
    const items = body.data_list ?? [];
    items.forEach((item, index) => {
      if (item === null || typeof item !== 'object') return;
      const row = item as Record<string, unknown>;
      const matches = isList
        ? row.image_id === spec.imageId
        : imageId !== undefined &&
          imageId === spec.imageId &&
          (spec.index === undefined || spec.index === index);
      if (!matches) return;
      // A copy: the answer's rows may be the world's own objects.
      const copy = { ...row };
      apply(copy, spec);
      items[index] = copy;
      planted = true;
    });
  }
  if (!planted) return null;
  let text = JSON.stringify(body);
  for (const [placeholder, raw] of raws) text = text.replace(placeholder, raw);
  return text;
}
