/**
 * Text from upstream on its way to the database and to people. PostgreSQL `text` cannot hold
 * U+0000, so every string stored or logged has each U+0000 replaced by U+FFFD (the NUL policy:
 * nothing else changes). A terminal obeys control characters, so readable output escapes them.
 */

/** U+0000 → U+FFFD; nothing else changes. */
export function replaceNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/**
 * Characters a terminal acts on or that hide or reorder text: C0 controls (tab and newline
 * included), DEL, C1 controls (U+009B is CSI), line and paragraph separators, and the
 * bidirectional marks, embeddings, overrides and isolates.
 */
const CONTROL_CLASS = '[\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069]';
const CONTROL = new RegExp(CONTROL_CLASS);
const CONTROLS = new RegExp(CONTROL_CLASS, 'g');

/** Whether `text` holds a character escapeControls rewrites. */
export function hasControls(text: string): boolean {
  return CONTROL.test(text);
}

/** Each control character (see CONTROLS) as `\uXXXX`, so text prints as one inert line. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
