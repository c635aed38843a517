import { describe, expect, it } from "vitest";
import { deliveryAdvances, toDeliveryStatus } from "./delivery-rules.js";

describe("deliveryAdvances", () => {
  it("moves forward through sent, delivered and read", () => {
    expect(deliveryAdvances(null, "sent")).toBe(true);
    expect(deliveryAdvances("queued", "sent")).toBe(true);
    expect(deliveryAdvances("sent", "delivered")).toBe(true);
    expect(deliveryAdvances("delivered", "read")).toBe(true);
    expect(deliveryAdvances("sent", "undelivered")).toBe(true);
  });

  it("never moves backwards or repeats", () => {
    expect(deliveryAdvances("delivered", "sent")).toBe(false);
    expect(deliveryAdvances("read", "delivered")).toBe(false);
    expect(deliveryAdvances("delivered", "delivered")).toBe(false);
    expect(deliveryAdvances("failed", "sent")).toBe(false);
  });

  it("keeps the first terminal status, but a read outranks a failure", () => {
    expect(deliveryAdvances("failed", "undelivered")).toBe(false);
    expect(deliveryAdvances("undelivered", "delivered")).toBe(false);
    expect(deliveryAdvances("undelivered", "read")).toBe(true);
  });
});

describe("toDeliveryStatus", () => {
  it("reads Twilio's statuses in any case and refuses others", () => {
    expect(toDeliveryStatus("Delivered")).toBe("delivered");
    expect(toDeliveryStatus(" undelivered ")).toBe("undelivered");
    expect(toDeliveryStatus("accepted")).toBeUndefined();
  });
});
