import { describe, expect, it } from "vitest";
import {
  attemptOfClaim,
  cutTurn,
  expiredLeaseDeadLetter,
  failOutcome,
  holdsLease,
  isClaimable,
  isLate,
  lastIndexOf,
  maxTurnMessages,
  mayInterrupt,
  recordedChecks,
  turnCandidates,
} from "./turn-rules.js";

const message = (index: number, ingestedAt = 0) => ({ index, ingestedAt });
const idle = {
  state: "idle",
  pendingCount: 1,
  nextAttemptAt: null,
  leaseExpiresAt: null,
  attempts: 0,
};

describe("isClaimable", () => {
  it("takes idle conversations with pending messages, backoff once due, expired leases", () => {
    expect(isClaimable(idle, 10)).toBe(true);
    expect(isClaimable({ ...idle, pendingCount: 0 }, 10)).toBe(false);
    expect(isClaimable({ ...idle, state: "backoff", nextAttemptAt: 11 }, 10)).toBe(false);
    expect(isClaimable({ ...idle, state: "backoff", nextAttemptAt: 10 }, 10)).toBe(true);
    expect(isClaimable({ ...idle, state: "leased", leaseExpiresAt: 11 }, 10)).toBe(false);
    expect(isClaimable({ ...idle, state: "leased", leaseExpiresAt: 10 }, 10)).toBe(true);
    expect(isClaimable({ ...idle, state: "dead" }, 10)).toBe(false);
    expect(isClaimable({ ...idle, state: "handoff" }, 10)).toBe(false);
  });
});

describe("dead letters and attempts", () => {
  it("dead-letters an expired lease only once it used every attempt", () => {
    expect(expiredLeaseDeadLetter({ state: "leased", attempts: 4 }, 5)).toBeUndefined();
    expect(expiredLeaseDeadLetter({ state: "leased", attempts: 5 }, 5)).toBe(
      "the lease expired 5 times without the turn completing",
    );
    expect(expiredLeaseDeadLetter({ state: "backoff", attempts: 9 }, 5)).toBeUndefined();
  });

  it("fails into backoff until the last attempt, then dead", () => {
    expect(failOutcome(4, 5)).toBe("backoff");
    expect(failOutcome(5, 5)).toBe("dead");
  });

  it("counts attempts per turn: a different first message restarts them", () => {
    expect(attemptOfClaim("IM1", 3, "IM1")).toBe(4);
    expect(attemptOfClaim("IM1", 3, "IM0")).toBe(1);
    expect(attemptOfClaim(undefined, 0, "IM0")).toBe(1);
  });

  it("marks a message below the last processed index late", () => {
    expect(isLate(3, 5)).toBe(true);
    expect(isLate(6, 5)).toBe(false);
    expect(isLate(0, null)).toBe(false);
  });
});

describe("turnCandidates (burst window)", () => {
  it("queue takes the lowest pending message alone", () => {
    expect(turnCandidates([message(1), message(2)], { mode: "queue" }, 0)).toEqual([message(1)]);
    expect(turnCandidates([], { mode: "queue" }, 0)).toEqual([]);
  });

  it("burst waits for the window, then takes what was ingested inside it, half-open", () => {
    const pending = [message(1, 100), message(2, 150), message(3, 200), message(4, 120)];
    const burst = { mode: "burst", windowMs: 100 } as const;
    expect(turnCandidates(pending, burst, 199)).toEqual([]);
    // Index 3 was ingested exactly at the window's end: it starts the next turn, and index 4
    // after it is not skipped to (it would be answered out of order).
    expect(turnCandidates(pending, burst, 200)).toEqual([message(1, 100), message(2, 150)]);
  });

  it("carries at most maxTurnMessages", () => {
    const pending = Array.from({ length: 150 }, (_, index) => message(index));
    expect(turnCandidates(pending, { mode: "burst", windowMs: 1 }, 10)).toHaveLength(
      maxTurnMessages,
    );
  });
});

describe("recordedChecks and cutTurn (settle window)", () => {
  it("needs no count for the next index, index 0, or a message that waited the window", () => {
    expect(recordedChecks([message(0, 0)], null, 0, 150)).toEqual([]);
    expect(recordedChecks([message(5, 0)], 4, 0, 150)).toEqual([]);
    expect(recordedChecks([message(5, 0)], null, 150, 150)).toEqual([]);
  });

  it("asks for the range above the last processed index, then above the previous message", () => {
    const checks = recordedChecks([message(5, 0), message(8, 0)], 2, 10, 150);
    expect(checks).toEqual([
      { position: 0, above: 2, below: 5 },
      { position: 1, above: 5, below: 8 },
    ]);
    const candidates = [message(5), message(8)];
    // Both ranges complete: the whole burst.
    expect(cutTurn(candidates, checks, [2, 2])).toEqual(candidates);
    // The second has a gap: the turn stops before it.
    expect(cutTurn(candidates, checks, [2, 1])).toEqual([message(5)]);
    // The first has a gap: no turn, even though the second is complete.
    expect(cutTurn(candidates, checks, [1, 2])).toEqual([]);
  });
});

describe("fencing", () => {
  const key = { conversationSid: "CH1", leaseVersion: 3, workerId: "w" };
  it("holds only the same version, owner and a leased state", () => {
    const row = { state: "leased", lease_version: 3, lease_owner: "w" };
    expect(holdsLease(row, key)).toBe(true);
    expect(holdsLease({ ...row, lease_version: 4 }, key)).toBe(false);
    expect(holdsLease({ ...row, lease_owner: "x" }, key)).toBe(false);
    expect(holdsLease({ ...row, state: "idle" }, key)).toBe(false);
    expect(holdsLease(undefined, key)).toBe(false);
  });

  it("takes the highest index of a turn as its last processed index", () => {
    expect(lastIndexOf([{ index: 4 }, { index: 2 }])).toBe(4);
    expect(lastIndexOf([])).toBe(-1);
  });
});

describe("the interrupt policy", () => {
  const interrupt = { mode: "interrupt" } as const;
  it("takes every pending message at once, up to the cap", () => {
    const pending = Array.from({ length: maxTurnMessages + 5 }, (_, index) => message(index, 500));
    expect(turnCandidates(pending, interrupt, 0)).toEqual(pending.slice(0, maxTurnMessages));
    expect(turnCandidates([], interrupt, 0)).toEqual([]);
  });

  it("may interrupt only a live lease of a claimed turn, under the interrupt policy", () => {
    const running = { state: "leased", leaseExpiresAt: 1_000, turnId: "IM1" };
    expect(mayInterrupt(interrupt, running, 999)).toBe(true);
    expect(mayInterrupt(interrupt, running, 1_000)).toBe(false);
    expect(mayInterrupt({ mode: "queue" }, running, 0)).toBe(false);
    expect(mayInterrupt({ mode: "burst", windowMs: 10 }, running, 0)).toBe(false);
    expect(mayInterrupt(interrupt, { ...running, state: "backoff" }, 0)).toBe(false);
    expect(mayInterrupt(interrupt, { ...running, turnId: undefined }, 0)).toBe(false);
  });
});
