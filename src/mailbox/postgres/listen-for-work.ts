import pg from "pg";

/** A LISTEN connection that comes back by itself after the server drops it. */
export interface WorkListener {
  /** Resolves once LISTEN is active the first time (or fails to be). */
  ready: Promise<void>;
  close(): Promise<void>;
}

const reconnectDelaysMs = [50, 200, 1_000, 5_000];

/**
 * Keeps one dedicated connection (outside the pool, so it never starves workers) listening on
 * `channels` and hands each notification to `onNotification`. Notices sent while it is reconnecting are
 * lost; that is acceptable because they are hints and workers poll as a backstop.
 */
export function listenForWork(
  clientConfig: pg.ClientConfig,
  channels: readonly string[],
  onNotification: (channel: string, payload: string) => void,
): WorkListener {
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const connect = async () => {
    timer = undefined;
    if (closed) return;
    const current = new pg.Client(clientConfig);
    client = current;
    let dropped = false;
    const drop = () => {
      if (dropped) return;
      dropped = true;
      current.removeAllListeners("notification");
      current.end().catch(() => {});
      if (closed) return;
      const delay = reconnectDelaysMs[Math.min(failures, reconnectDelaysMs.length - 1)]!;
      failures += 1;
      timer = setTimeout(() => void connect(), delay);
      timer.unref();
    };
    current.on("error", drop);
    current.on("end", drop);
    current.on("notification", (notification) => {
      if (channels.includes(notification.channel) && notification.payload !== undefined)
        onNotification(notification.channel, notification.payload);
    });
    try {
      await current.connect();
      for (const channel of channels) await current.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      failures = 0;
      markReady();
      if (closed) await current.end();
    } catch {
      drop();
      // The first attempt settles `ready` either way: the store works without wake-ups.
      markReady();
    }
  };
  void connect();

  return {
    ready,
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      const current = client;
      if (current !== undefined) {
        current.removeAllListeners("end");
        await current.end().catch(() => {});
      }
    },
  };
}
