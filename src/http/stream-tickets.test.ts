import { describe, expect, it } from "vitest";
import { createStreamTickets } from "./stream-tickets.js";

const secret = "a shared secret of thirty-two bytes or more!";

describe("stream tickets", () => {
  it("open one stream: the subject comes back once, then never again", () => {
    const tickets = createStreamTickets<{ identity: string }>({
      secret,
      purpose: "webchat",
      ttlMs: 30_000,
    });
    const ticket = tickets.issue({ identity: "visitor-1" });
    expect(tickets.spend(ticket)).toEqual({ identity: "visitor-1" });
    expect(tickets.spend(ticket)).toBeUndefined();
  });

  it("are accepted by another instance sharing the secret, and by no other door or secret", () => {
    const issuer = createStreamTickets<string>({ secret, purpose: "console", ttlMs: 30_000 });
    const ticket = issuer.issue("console");
    const sameDoor = createStreamTickets<string>({ secret, purpose: "console", ttlMs: 30_000 });
    const otherDoor = createStreamTickets<string>({ secret, purpose: "webchat", ttlMs: 30_000 });
    const otherSecret = createStreamTickets<string>({
      secret: `${secret}?`,
      purpose: "console",
      ttlMs: 30_000,
    });
    const noSecret = createStreamTickets<string>({ purpose: "console", ttlMs: 30_000 });
    expect(otherDoor.spend(ticket)).toBeUndefined();
    expect(otherSecret.spend(ticket)).toBeUndefined();
    expect(noSecret.spend(ticket)).toBeUndefined();
    expect(sameDoor.spend(ticket)).toBe("console");
  });

  it("expire after their lifetime", () => {
    let now = 1_000_000;
    const tickets = createStreamTickets<string>({
      secret,
      purpose: "webchat",
      ttlMs: 30_000,
      now: () => now,
    });
    const late = tickets.issue("late");
    const inTime = tickets.issue("in time");
    now += 29_999;
    expect(tickets.spend(inTime)).toBe("in time");
    now += 1;
    expect(tickets.spend(late)).toBeUndefined();
  });

  it("refuse forged, tampered, malformed and oversized tickets without throwing", () => {
    const tickets = createStreamTickets<string>({ secret, purpose: "webchat", ttlMs: 30_000 });
    const genuine = tickets.issue("visitor");
    const [payload = "", signature = ""] = genuine.split(".");
    const tampered = Buffer.from(
      Buffer.from(payload, "base64url").toString("utf8").replace("visitor", "operator"),
    ).toString("base64url");
    for (const forged of [
      "",
      ".",
      "abc",
      `${payload}.`,
      `${tampered}.${signature}`,
      `${payload}.${signature}x`,
      `${payload}.${signature}.${signature}`,
      `${payload}!.${signature}`,
      `${"a".repeat(3000)}.${signature}`,
    ])
      expect(tickets.spend(forged)).toBeUndefined();
    expect(tickets.spend(genuine)).toBe("visitor");
  });
});
