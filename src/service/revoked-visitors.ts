import { ConfigError } from "../errors.js";
import type { MailboxStore } from "../mailbox/mailbox-store.js";

/** The mailbox meta key the revoked web chat visitors are kept under. */
export const revokedVisitorsKey = "webchat-revoked-visitors";
/** The publish channel a revocation is announced on to every instance sharing the mailbox. */
export const revokedVisitorsChannel = "webchat-revoked";
/** At most this many revoked identities are kept (the oldest are forgotten first). */
const maxRevoked = 10_000;

/** Which web chat visitors the operator revoked, shared by every instance on the mailbox. */
export interface RevokedVisitors {
  /** A set lookup: never a query, so it may run on every request. */
  has(identity: string): boolean;
  /** Revokes `identity` here at once, durably, and on every other instance within seconds. */
  revoke(identity: string): Promise<void>;
  /** Calls `listener` for each identity revoked from now on, here or on another instance. */
  onRevoked(listener: (identity: string) => void): () => void;
  /** Stops the refresh timer and the subscription. */
  close(): void;
}

/** Options of {@link createRevokedVisitors}. */
export interface RevokedVisitorsOptions {
  mailbox: Pick<MailboxStore, "getMeta" | "setMeta" | "publish" | "subscribe" | "withLock">;
  /**
   * How often the list is re-read from the mailbox, in ms: the backstop for an announcement
   * missed while the listening connection was reconnecting. Default 5000.
   */
  refreshMs?: number;
  /** Logs a failed refresh or announcement (never a token). */
  onError?: (error: unknown) => void;
}

/**
 * The revoked visitors, kept in the mailbox (so a restart forgives no one) and held in
 * memory (so checking costs no query). A revocation reaches the other instances sharing the
 * mailbox two ways: at once through the store's `publish` (PostgreSQL `NOTIFY`), and within
 * `refreshMs` through a periodic re-read of the list, which covers an announcement missed
 * while a connection was down. Stores without `publish` (SQLite) have one instance.
 */
export async function createRevokedVisitors(
  options: RevokedVisitorsOptions,
): Promise<RevokedVisitors> {
  const { mailbox } = options;
  const refreshMs = options.refreshMs ?? 5000;
  if (!Number.isSafeInteger(refreshMs) || refreshMs < 100 || refreshMs > 3_600_000)
    throw new ConfigError(
      "revocationRefreshMs",
      "revocationRefreshMs must be an integer from 100 to 3600000 (ms): how often revoked web chat visitors are re-read.",
    );
  const onError = options.onError ?? (() => {});
  const revoked = new Set<string>();
  const listeners = new Set<(identity: string) => void>();

  const read = async (): Promise<string[]> => {
    const stored = await mailbox.getMeta(revokedVisitorsKey);
    if (stored === null) return [];
    const parsed = JSON.parse(stored) as unknown;
    return Array.isArray(parsed) ? parsed.filter((item) => typeof item === "string") : [];
  };
  const learn = (identity: string) => {
    if (revoked.has(identity)) return;
    revoked.add(identity);
    for (const listener of listeners) listener(identity);
  };
  for (const identity of await read()) revoked.add(identity);

  const unsubscribe = mailbox.subscribe?.(revokedVisitorsChannel, (payload) => learn(payload));
  const timer = setInterval(() => {
    read().then((identities) => {
      for (const identity of identities) learn(identity);
    }, onError);
  }, refreshMs);
  timer.unref();

  /** Read, merge, write: under the store's lock when it has one, so two instances revoking at once both count. */
  const persist = async (identity: string) => {
    const write = async () => {
      const merged = [...new Set([...(await read()), identity])].slice(-maxRevoked);
      await mailbox.setMeta(revokedVisitorsKey, JSON.stringify(merged));
    };
    if (mailbox.withLock === undefined) return write();
    for (let attempt = 0; attempt < 50; attempt += 1) {
      if ((await mailbox.withLock("webchat-revocations", write)).acquired) return;
      await new Promise((resolve) => setTimeout(resolve, 20 + attempt * 10));
    }
    // Another instance holds the lock for seconds: write anyway rather than lose this one.
    await write();
  };

  return {
    has: (identity) => revoked.has(identity),
    async revoke(identity) {
      learn(identity);
      await persist(identity);
      await mailbox.publish?.(revokedVisitorsChannel, identity).catch(onError);
    },
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      clearInterval(timer);
      unsubscribe?.();
      listeners.clear();
    },
  };
}
