/**
 * "Did you mean …?": the known word closest to a mistyped one (a command, an option, an
 * environment variable, an HSS region), by edit distance.
 */

/** Levenshtein distance: insertions, deletions and substitutions, each costing 1. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/**
 * The word of `known` closest to `word`, at most `maxDistance` edits away (default 2), or null.
 * On a tie the first in `known` wins.
 */
export function closest(word: string, known: Iterable<string>, maxDistance = 2): string | null {
  let best: string | null = null;
  let bestDistance = maxDistance + 1;
  for (const k of known) {
    const d = editDistance(word, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean X?)` when a close word exists, else ''. */
export function didYouMean(word: string, known: Iterable<string>, maxDistance = 2): string {
  const guess = closest(word, known, maxDistance);
  return guess ? ` (did you mean ${guess}?)` : '';
}
