import { deepStrictEqual as assertEquals, ok as assert } from 'node:assert/strict';
import { reciprocalRankFusion, RRF_K } from './rrf.ts';

const id = (x: string) => x;

Deno.test('an item found by both lists beats items found by one', () => {
  const fused = reciprocalRankFusion([['a', 'b', 'c'], ['d', 'c', 'e']], id);
  assertEquals(fused[0].item, 'c');
  assert(Math.abs(fused[0].score - (1 / (RRF_K + 3) + 1 / (RRF_K + 2))) < 1e-12);
});

Deno.test('a single list keeps its order', () => {
  assertEquals(reciprocalRankFusion([['x', 'y', 'z']], id).map((r) => r.item), ['x', 'y', 'z']);
});

Deno.test('ties are broken by the best single rank, deterministically', () => {
  const fused = reciprocalRankFusion([['a', 'b'], ['b', 'a']], id).map((r) => r.item);
  assertEquals(fused.length, 2);
  assertEquals(reciprocalRankFusion([['a', 'b'], ['b', 'a']], id).map((r) => r.item), fused);
});

Deno.test('empty lists fuse to nothing', () => {
  assertEquals(reciprocalRankFusion<string>([[], []], id), []);
});

Deno.test('items are matched by key, the first occurrence is kept', () => {
  const fused = reciprocalRankFusion([[{ k: '1', from: 'fts' }], [{ k: '1', from: 'vector' }]], (x) => x.k);
  assertEquals(fused.length, 1);
  assertEquals(fused[0].item.from, 'fts');
});
