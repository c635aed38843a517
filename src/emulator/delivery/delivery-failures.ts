import type { DeliveryStatus } from "../store/records.js";

/**
 * What can go wrong between Twilio and a customer's phone, as the emulator injects it per
 * address. Each maps to the Twilio error code and the final receipt status Twilio reports
 * (error dictionary, twilio.com/docs/api/errors): carrier-side failures (30003–30008) are
 * `undelivered` after `sent`; refusals before anything is sent (21610, 63016) are `failed`.
 */
export const deliveryFailures = {
  /** 30003 Unreachable destination handset: phone off or out of coverage. */
  unreachable: { errorCode: 30003, status: "undelivered" },
  /** 30005 Unknown destination handset: the number does not exist. */
  "unknown-destination": { errorCode: 30005, status: "undelivered" },
  /** 30006 Landline or unreachable carrier. */
  landline: { errorCode: 30006, status: "undelivered" },
  /** 30007 Message filtered: the carrier blocked it as spam. */
  "carrier-filtered": { errorCode: 30007, status: "undelivered" },
  /** 30008 Unknown error from the carrier. */
  "unknown-error": { errorCode: 30008, status: "undelivered" },
  /** 21610 The recipient replied STOP: nothing is sent until they opt back in. */
  "opted-out": { errorCode: 21610, status: "failed" },
  /** 63016 A WhatsApp free-form message outside the 24-hour customer-service window. */
  "outside-window": { errorCode: 63016, status: "failed" },
} as const satisfies Record<string, { errorCode: number; status: DeliveryStatus }>;

export type DeliveryFailure = keyof typeof deliveryFailures;

export function isDeliveryFailure(value: unknown): value is DeliveryFailure {
  return typeof value === "string" && Object.hasOwn(deliveryFailures, value);
}

/** One injected failure, as the control API lists it. */
export interface DeliveryFailureRule {
  /** The customer address (`+1…` or `whatsapp:+1…`) whose deliveries fail. */
  address: string;
  failure: DeliveryFailure;
  errorCode: number;
  status: DeliveryStatus;
}

export function deliveryFailureRule(
  address: string,
  failure: DeliveryFailure,
): DeliveryFailureRule {
  return { address, failure, ...deliveryFailures[failure] };
}
