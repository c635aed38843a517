import { describe, expect, it } from "vitest";
import { smsKeyword } from "./sms-keywords.js";
import { SmsOptOutList } from "./sms-opt-out-list.js";

describe("smsKeyword (Twilio's standard opt-out keywords)", () => {
  it("reads a whole message as a keyword, ignoring case and surrounding space", () => {
    for (const word of [
      "STOP",
      "stop",
      " Stop\n",
      "STOPALL",
      "unsubscribe",
      "Cancel",
      "END",
      "quit",
      "REVOKE",
      "optout",
    ])
      expect(smsKeyword(word)).toBe("opt-out");
    for (const word of ["START", "yes", "Unstop"]) expect(smsKeyword(word)).toBe("opt-in");
    for (const word of ["HELP", "info"]) expect(smsKeyword(word)).toBe("help");
  });

  it("ignores keywords inside longer messages and anything else", () => {
    for (const body of ["STOP PLEASE", "please cancel", "stop!", "S T O P", "", undefined])
      expect(smsKeyword(body)).toBeUndefined();
  });
});

describe("SmsOptOutList", () => {
  it("opts out and back in, answering HELP only while opted in", () => {
    const list = new SmsOptOutList();
    expect(list.apply("+15551230001", "help", 0)?.reply).toMatch(/^Reply STOP to unsubscribe/);
    expect(list.apply("+15551230001", "Stop", 1000)?.reply).toMatch(/unsubscribed/);
    expect(list.has("+15551230001")).toBe(true);
    expect(list.entries()).toEqual([
      { address: "+15551230001", keyword: "Stop", at: "1970-01-01T00:00:01.000Z" },
    ]);
    expect(list.apply("+15551230001", "HELP", 2000)).toEqual({ kind: "help" });
    expect(list.apply("+15551230001", "hello", 3000)).toBeUndefined();
    expect(list.apply("+15551230001", "YES", 4000)?.reply).toMatch(/re-subscribed/);
    expect(list.has("+15551230001")).toBe(false);
  });
});
