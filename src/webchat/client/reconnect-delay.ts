/** The first wait before reopening a refused stream, in milliseconds. */
export const firstReconnectDelayMs = 1000;
/** The longest wait between attempts. */
export const maxReconnectDelayMs = 30_000;

/** The wait after `delay`: doubled, capped at `maxReconnectDelayMs`. */
export function nextReconnectDelay(delay: number): number {
  return Math.min(delay * 2, maxReconnectDelayMs);
}
