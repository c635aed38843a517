import { describe, expect, it } from "vitest";
import {
  binding,
  deliveryStatus,
  duration,
  participantChannel,
  participantName,
  safeUrl,
  statusClass,
} from "./rest-fields.js";

describe("inspector field readers", () => {
  it("reads a participant's channel from its binding, as object or JSON text", () => {
    const sms = { sid: "MB1", messaging_binding: { type: "sms", address: "+15551230001" } };
    const whatsapp = { sid: "MB2", messaging_binding: '{"address":"whatsapp:+15551230002"}' };
    const chat = { sid: "MB3", identity: "visitor-1", messaging_binding: null };
    expect([sms, whatsapp, chat].map(participantChannel)).toEqual(["sms", "whatsapp", "chat"]);
    expect(binding({ sid: "MB4", messaging_binding: "{not json" })).toBeNull();
    expect([sms, chat].map(participantName)).toEqual(["+15551230001", "visitor-1"]);
  });

  it("shows the furthest delivery status, failures first", () => {
    expect(deliveryStatus({ sent: "all", delivered: "some", read: "none" })).toEqual({
      label: "delivered",
      failed: false,
    });
    expect(deliveryStatus({ read: "all", failed: "some" })).toEqual({
      label: "failed",
      failed: true,
    });
    expect(deliveryStatus({ sent: "none" })).toBeNull();
    expect(deliveryStatus(null)).toBeNull();
  });

  it("links only http(s) URLs", () => {
    expect(safeUrl("/media/ME1", "http://127.0.0.1:3000/_emulator/")).toBe(
      "http://127.0.0.1:3000/media/ME1",
    );
    expect(safeUrl("javascript:alert(1)", "http://127.0.0.1/")).toBeNull();
    expect(safeUrl("data:text/html,x", "http://127.0.0.1/")).toBeNull();
    expect(safeUrl(42, "http://127.0.0.1/")).toBeNull();
  });

  it("formats webhook answers and durations", () => {
    expect([204, 404, 500, null].map(statusClass)).toEqual(["ok", "warn", "bad", "bad"]);
    expect([850.4, 1234, Number.NaN].map(duration)).toEqual(["850 ms", "1.2 s", ""]);
  });
});
