/**
 * The names closest to a misspelled one, for "did you mean ...?" hints: optimal string alignment distance (Damerau-
 * Levenshtein with adjacent transpositions, so `mfa_actvie` is one edit from `mfa_active`), case-insensitive.
 */
export function closestNames(wanted: string, candidates: Iterable<string>, limit = 2): string[] {
  const target = wanted.toLowerCase();
  // Up to a third of the name may differ: enough for typos, not so much that every short name matches.
  const budget = Math.max(1, Math.floor(target.length / 3));
  const scored: { name: string; distance: number }[] = [];
  for (const name of new Set(candidates)) {
    if (Math.abs(name.length - target.length) > budget) continue;
    const distance = editDistance(target, name.toLowerCase());
    if (distance <= budget) scored.push({ name, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((entry) => entry.name);
}

function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const d: number[] = new Array(rows * columns).fill(0);
  for (let i = 0; i < rows; i++) d[i * columns] = i;
  for (let j = 0; j < columns; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * columns + j]! + 1, d[i * columns + j - 1]! + 1, d[(i - 1) * columns + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[(i - 2) * columns + j - 2]! + 1);
      d[i * columns + j] = best;
    }
  }
  return d[rows * columns - 1]!;
}
