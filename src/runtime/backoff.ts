/**
 * Exponential backoff with full jitter: `base · 2^(attempt-1)` capped at `max`, then a
 * random point in its upper half, so retries of many conversations do not line up.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
