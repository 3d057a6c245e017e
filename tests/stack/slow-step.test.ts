// A start-up or stop step that runs past its threshold says what is being waited for while it
// still runs, and how long it took; a quick step says nothing; the step's result or error is kept.
import { describe, expect, it } from 'vitest';
import { noticeIfSlow } from '../../scripts/stack/slow-step.ts';

const after = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('noticeIfSlow', () => {
  it('logs what it waits for while the step is pending, then that it is done', async () => {
    const lines: string[] = [];
    let releaseStep = () => {};
    const step = new Promise<string>((r) => (releaseStep = () => r('value')));
    const waiting = noticeIfSlow('the test step', step, (l) => lines.push(l), 20);
    while (!lines.length) await after(10);
    expect(lines).toEqual(['· Still waiting for the test step (0 s so far)']);
    releaseStep();
    expect(await waiting).toBe('value');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^· the test step: done after \d+\.\d s$/);
  });

  it('says nothing about a step that finishes in time, and passes its error on', async () => {
    const lines: string[] = [];
    expect(await noticeIfSlow('quick', Promise.resolve(7), (l) => lines.push(l), 60_000)).toBe(7);
    await expect(noticeIfSlow('failing', Promise.reject(new Error('boom')), (l) => lines.push(l), 60_000)).rejects.toThrow('boom');
    expect(lines).toEqual([]);
  });
});
