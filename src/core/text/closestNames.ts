import { distance } from 'fastest-levenshtein';

/**
 * The names closest to a misspelled one, for "did you mean ...?" hints: Levenshtein distance (fastest-levenshtein, the
 * small, maintained implementation other tools use), case-insensitive, within a budget so a far name is no hint.
 */
export function closestNames(wanted: string, candidates: Iterable<string>, limit = 2): string[] {
  const target = wanted.toLowerCase();
  // Up to a third of the name may differ: enough for typos, not so much that every short name matches.
  const budget = Math.max(1, Math.floor(target.length / 3));
  const scored: { name: string; distance: number }[] = [];
  for (const name of new Set(candidates)) {
    if (Math.abs(name.length - target.length) > budget) continue;
    const edits = distance(target, name.toLowerCase());
    if (edits <= budget) scored.push({ name, distance: edits });
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((entry) => entry.name);
}
