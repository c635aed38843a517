/**
 * One action that counts against a Twilio rate limit (or a budget of your own):
 * - `conversation`: message/participant writes and conversation updates (Twilio allows 30/s
 *   per conversation; the key is the conversation SID or unique name);
 * - `service`: conversation creates and deletes (30/s per service; the key is the `IS…`);
 * - `sender`: messages out of one phone number (a cost budget; the key is the number).
 */
export interface PacingRequest {
  scope: "conversation" | "service" | "sender";
  key: string;
}

/**
 * Decides when an action may go out. The in-process pacer below keeps its windows in memory;
 * a shared implementation (e.g. PostgreSQL-backed, so several instances share one budget)
 * implements the same interface and is passed as `TwilioProvider`'s `pacer` option.
 */
export interface RequestPacer {
  /**
   * Resolves when the action may proceed, waiting as long as needed; rejects with the
   * signal's reason if the signal aborts first.
   */
  acquire(request: PacingRequest, signal?: AbortSignal): Promise<void>;
}

export interface InProcessPacerOptions {
  /** Actions per second per conversation. Default 30 (Twilio's limit). */
  conversationActionsPerSecond?: number | undefined;
  /** Conversation creates/deletes per second per service. Default 30 (Twilio's limit). */
  serviceActionsPerSecond?: number | undefined;
  /**
   * Messages per second per sender number: a cost/throughput budget, off by default because
   * Twilio itself queues SMS beyond a long code's ~1 segment per second.
   */
  senderMessagesPerSecond?: number | undefined;
  /** Clock and timer, injectable so tests need not wait. */
  now?: (() => number) | undefined;
  sleep?: ((milliseconds: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

const windowMs = 1000;
/** Past this many tracked keys, idle windows are swept so memory stays bounded. */
const sweepThreshold = 10_000;

/**
 * A sliding one-second window per key, in this process only. Limits of `0` or `undefined`
 * (the sender budget by default) disable that scope.
 */
export function createInProcessPacer(options: InProcessPacerOptions = {}): RequestPacer {
  const limits: Record<PacingRequest["scope"], number | undefined> = {
    conversation: positive(
      options.conversationActionsPerSecond ?? 30,
      "conversationActionsPerSecond",
    ),
    service: positive(options.serviceActionsPerSecond ?? 30, "serviceActionsPerSecond"),
    sender: positive(options.senderMessagesPerSecond, "senderMessagesPerSecond"),
  };
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const windows = new Map<string, number[]>();

  const sweep = (at: number) => {
    for (const [key, times] of windows) {
      if (times.every((time) => time <= at - windowMs)) windows.delete(key);
    }
  };

  return {
    async acquire(request, signal) {
      const limit = limits[request.scope];
      if (limit === undefined) return;
      const key = `${request.scope}:${request.key}`;
      for (;;) {
        signal?.throwIfAborted();
        const at = now();
        const times = (windows.get(key) ?? []).filter((time) => time > at - windowMs);
        if (times.length < limit) {
          times.push(at);
          windows.set(key, times);
          if (windows.size > sweepThreshold) sweep(at);
          return;
        }
        windows.set(key, times);
        // The oldest action leaves the window first; wait exactly until then.
        await sleep((times[0] ?? at) + windowMs - at, signal);
      }
    },
  };
}

function positive(value: number | undefined, option: string): number | undefined {
  if (value === undefined || value === 0) return undefined;
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`createInProcessPacer: ${option} must be a positive number`);
  return value;
}

/** `setTimeout` as a promise that rejects with the signal's reason when aborted. */
export function abortableSleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
