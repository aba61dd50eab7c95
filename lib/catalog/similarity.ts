// Fuzzy matching for "did you mean" hints. Names here are short (< 80 chars) and the catalog
// has ~100 entries, so a plain O(n*m) Levenshtein per candidate is cheap enough.

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** Lower-case words of a type, signal or class name: "org.openedx.x_y.v1", "X_Y", "XBlockY". */
function tokens(s: string): Set<string> {
  const words = s.replace(/([a-z\d])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z\d]+/);
  // "org", "openedx" and the version suffix are in every type: they carry no signal.
  return new Set(words.filter((w) => w && w !== 'org' && w !== 'openedx' && !/^v\d+$/.test(w)));
}

/**
 * Distance in [0, 1] (lower is closer) between input and the best of a candidate's names:
 * normalised edit distance, pulled down by shared words so that word order or a missing
 * segment ("enrollment.created") still finds the right entry.
 */
export function distance(input: string, names: readonly string[]): number {
  const q = input.trim().toLowerCase();
  const qt = tokens(input);
  let best = 1;
  for (const name of names) {
    const n = name.toLowerCase();
    const edit = levenshtein(q, n) / Math.max(q.length, n.length, 1);
    const nt = tokens(name);
    const shared = [...qt].filter((w) => nt.has(w)).length;
    const jaccard = shared / Math.max(new Set([...qt, ...nt]).size, 1);
    best = Math.min(best, (edit + (1 - jaccard)) / 2);
  }
  return best;
}

/** The n items whose names are closest to input; ties keep catalog order (sort is stable). */
export function closest<T>(items: readonly T[], names: (item: T) => string[], input: string, n: number): T[] {
  return items
    .map((item) => ({ item, d: distance(input, names(item)) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, Math.max(0, n))
    .map((x) => x.item);
}
