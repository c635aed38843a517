import { describe, expect, it } from "vitest";
import {
  type CustomerActivity,
  type CustomerActivityReads,
  customersByActivity,
} from "./customers-by-activity.js";

/**
 * The reads over plain data: conversations as [customer or null, activity], customers
 * without a conversation as [id, created]. Counts the conversations each read looks at.
 */
function reads(
  conversations: readonly (readonly [string | null, number])[],
  quiet: readonly (readonly [string, number])[],
) {
  const byActivity = [...conversations].sort((a, b) => b[1] - a[1]);
  const seen = { conversations: 0, windows: [] as number[] };
  const source: CustomerActivityReads = {
    async cutoff(window) {
      seen.windows.push(window);
      return byActivity[window - 1]?.[1] ?? null;
    },
    async activeSince(since) {
      const latest = new Map<string, number>();
      for (const [customer, at] of byActivity) {
        if (since !== null && at < since) break;
        seen.conversations += 1;
        if (customer !== null) latest.set(customer, Math.max(latest.get(customer) ?? at, at));
      }
      return [...latest].map(([customerId, at]): CustomerActivity => ({ customerId, at }));
    },
    async quietSince(since, limit) {
      return quiet
        .filter(([, created]) => since === null || created >= since)
        .map(([customerId, at]) => ({ customerId, at }))
        .sort((a, b) => b.at - a.at || (a.customerId < b.customerId ? -1 : 1))
        .slice(0, limit);
    },
  };
  return { source, seen };
}

describe("customersByActivity", () => {
  it("ranks each customer by its latest conversation and reads only a window of them", async () => {
    // 1,000 customers, one conversation each, plus a second, older one for customer 0.
    const conversations: [string, number][] = Array.from({ length: 1_000 }, (_, n) => [
      `cu_${n}`,
      10_000 + n,
    ]);
    conversations.push(["cu_0", 5]);
    const { source, seen } = reads(conversations, []);
    const page = await customersByActivity(source, 3);
    expect(page).toEqual([
      { customerId: "cu_999", at: 10_999 },
      { customerId: "cu_998", at: 10_998 },
      { customerId: "cu_997", at: 10_997 },
    ]);
    expect(seen.windows).toEqual([12]);
    expect(seen.conversations).toBe(12);
  });

  it("grows the window while one customer's conversations fill it", async () => {
    const busy: [string, number][] = Array.from({ length: 30 }, (_, n) => ["cu_busy", 100 + n]);
    const { source, seen } = reads([...busy, ["cu_a", 50], ["cu_b", 40], [null, 45]], []);
    expect(await customersByActivity(source, 2)).toEqual([
      { customerId: "cu_busy", at: 129 },
      { customerId: "cu_a", at: 50 },
    ]);
    // A window of 8 held only the busy customer; 32 reaches cu_a.
    expect(seen.windows).toEqual([8, 32]);
  });

  it("merges customers without a conversation by creation, only those on the page", async () => {
    const { source } = reads(
      [
        ["cu_a", 300],
        ["cu_b", 100],
      ],
      [
        ["cu_new", 200],
        ["cu_old", 50],
      ],
    );
    expect((await customersByActivity(source, 3)).map((row) => row.customerId)).toEqual([
      "cu_a",
      "cu_new",
      "cu_b",
    ]);
    // Fewer customers with a conversation than the page: every quiet one may belong.
    expect((await customersByActivity(source, 10)).map((row) => row.customerId)).toEqual([
      "cu_a",
      "cu_new",
      "cu_b",
      "cu_old",
    ]);
  });

  it("orders equal times by id and answers nothing for no customers", async () => {
    const { source } = reads(
      [
        ["cu_b", 7],
        ["cu_a", 7],
      ],
      [["cu_c", 7]],
    );
    expect((await customersByActivity(source, 5)).map((row) => row.customerId)).toEqual([
      "cu_a",
      "cu_b",
      "cu_c",
    ]);
    expect(await customersByActivity(reads([[null, 1]], []).source, 5)).toEqual([]);
  });
});
