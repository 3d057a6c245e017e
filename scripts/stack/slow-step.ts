// A start-up or stop step that takes unusually long says so while it is still running, so that a
// stall on a loaded machine explains itself in the log instead of looking like a hang.

/** After this long a step is worth a line in the log. */
export const SLOW_STEP_MS = 3_000;

/** Awaits `work`; if it is still pending after `afterMs`, logs once that `what` is being waited for. */
export async function noticeIfSlow<T>(what: string, work: Promise<T>, log: (line: string) => void, afterMs = SLOW_STEP_MS): Promise<T> {
  const t0 = performance.now();
  const timer = setTimeout(() => log(`· Still waiting for ${what} (${Math.round(afterMs / 1000)} s so far)`), afterMs);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
    const took = performance.now() - t0;
    if (took >= afterMs) log(`· ${what}: done after ${(took / 1000).toFixed(1)} s`);
  }
}
