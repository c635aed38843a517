/**
 * A customer's place in `listCustomers`: the latest activity of its conversations (a
 * customer message, else when the conversation was first seen — the order of
 * `activeConversations`), else, without any conversation, its creation.
 */
export interface CustomerActivity {
  customerId: string;
  at: number;
}

/** What `customersByActivity` reads from a store, both through indexes. */
export interface CustomerActivityReads {
  /**
   * The activity of the `window`-th most recently active conversation, or null when there
   * are fewer conversations than that (then every conversation is in the window).
   */
  cutoff(window: number): Promise<number | null>;
  /**
   * The customers owning a conversation active at or after `since` (every conversation when
   * null), each with its latest activity.
   */
  activeSince(since: number | null): Promise<CustomerActivity[]>;
  /**
   * Customers without any conversation created at or after `since` (every one when null),
   * newest first, at most `limit`.
   */
  quietSince(since: number | null, limit: number): Promise<CustomerActivity[]>;
}

const byActivity = (a: CustomerActivity, b: CustomerActivity) =>
  b.at - a.at || (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);

/**
 * The `limit` most recently active customers, in order, reading only the most recently
 * active conversations — the console's Customers page at 100k customers read every customer
 * and all their conversations on each load.
 *
 * A window of recent conversations gives each of its customers its exact latest activity
 * (their latest conversation is in it: every conversation at least as recent as the window's
 * oldest is); the window grows fourfold until it holds `limit` customers or every
 * conversation. A customer outside it is older than every customer in it. Customers without
 * a conversation are merged in by creation, only those at least as recent as the page's last
 * row when the page is full. That walk reads the customers made since that row's activity:
 * a few in live traffic (a customer is made on its first message), more after a burst of
 * customers whose messages are older than they are (catch-up after an outage).
 */
export async function customersByActivity(
  reads: CustomerActivityReads,
  limit: number,
): Promise<CustomerActivity[]> {
  let window = Math.max(limit, 1) * 4;
  let active: CustomerActivity[];
  for (;;) {
    const cutoff = await reads.cutoff(window);
    active = await reads.activeSince(cutoff);
    if (cutoff === null || active.length >= limit) break;
    window *= 4;
  }
  const page = active.sort(byActivity).slice(0, limit);
  const floor = page.length < limit ? null : page[page.length - 1]!.at;
  const quiet = await reads.quietSince(floor, limit);
  return [...page, ...quiet].sort(byActivity).slice(0, limit);
}
