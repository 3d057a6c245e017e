// Reciprocal rank fusion (Cormack, Clarke & Büttcher, 2009): each list votes 1 / (k + rank) for
// its items; scores are comparable across lists of different kinds (ts_rank and cosine
// similarity are not), and an item found by both lists rises to the top.

export const RRF_K = 60;

export function reciprocalRankFusion<T>(lists: T[][], keyOf: (item: T) => string, k = RRF_K): Array<{ item: T; score: number }> {
  const fused = new Map<string, { item: T; score: number; best: number }>();
  for (const list of lists) {
    list.forEach((item, index) => {
      const key = keyOf(item);
      const vote = 1 / (k + index + 1);
      const entry = fused.get(key);
      if (entry) {
        entry.score += vote;
        entry.best = Math.min(entry.best, index);
      } else fused.set(key, { item, score: vote, best: index });
    });
  }
  // Ties (same total) are broken by the best single rank, so the order is deterministic.
  return [...fused.values()].sort((a, b) => b.score - a.score || a.best - b.best).map(({ item, score }) => ({ item, score }));
}
