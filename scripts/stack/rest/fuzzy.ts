// "Perhaps you meant …" suggestions, in the manner of the FuzzySet that PostgREST uses for its
// PGRST200/202/205 hints: candidates are ranked by the cosine similarity of their 2- and 3-grams,
// the best few are re-scored by normalised Levenshtein distance, and a match needs a score of 1/3.

const MIN_SCORE = 0.33;

function grams(value: string, size: number): Map<string, number> {
  const padded = `-${value.toLowerCase()}-`;
  const out = new Map<string, number>();
  for (let i = 0; i + size <= padded.length; i++) {
    const g = padded.slice(i, i + size);
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [g, n] of a) {
    na += n * n;
    dot += n * (b.get(g) ?? 0);
  }
  for (const n of b.values()) nb += n * n;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The candidate closest to `value`, or undefined when none is close enough. */
export function closest(value: string, candidates: Iterable<string>): string | undefined {
  const list = [...new Set(candidates)];
  if (list.length === 0) return undefined;
  for (const size of [3, 2]) {
    const target = grams(value, size);
    const ranked = list
      .map((c) => ({ c, score: cosine(target, grams(c, size)) }))
      .filter((r) => r.score > 0)
      .sort((x, y) => y.score - x.score)
      .slice(0, 50)
      .map(({ c }) => {
        const v = value.toLowerCase();
        const w = c.toLowerCase();
        return { c, score: 1 - levenshtein(v, w) / Math.max(v.length, w.length, 1) };
      })
      .sort((x, y) => y.score - x.score);
    if (ranked.length && ranked[0].score >= MIN_SCORE) return ranked[0].c;
  }
  return undefined;
}
