import { describe, expect, it } from "vitest";
import { SwitchboardError } from "../errors.js";
import {
  AddressInUseError,
  AmbiguousSendError,
  CircuitOpenError,
  ConversationClosedError,
  IdentityInUseError,
  InvalidAddressError,
  InvalidCredentialsError,
  NotFoundError,
  RateLimitedError,
  ServiceNotFoundError,
  StreamOverflowError,
  TwilioApiError,
  TwilioError,
  UniqueNameTakenError,
  WebhookParseError,
  WebhookPayloadTooLargeError,
  WebhookSignatureError,
} from "./errors.js";

describe("Twilio error classes", () => {
  const cases: [TwilioError, string, boolean, number | undefined][] = [
    [new TwilioApiError("x"), "twilio_api_error", false, undefined],
    [new InvalidCredentialsError(), "invalid_credentials", false, 401],
    [new ServiceNotFoundError("IS1"), "service_not_found", false, 404],
    [new NotFoundError("x"), "not_found", false, 404],
    [
      new RateLimitedError("x", { isRetryable: false, retryAfterMs: 1000 }),
      "rate_limited",
      true,
      429,
    ],
    [new ConversationClosedError("CH1"), "conversation_closed", false, 400],
    [new UniqueNameTakenError("u"), "unique_name_taken", false, 409],
    [
      new AddressInUseError({ address: "+1", proxyAddress: "+2" }, "x"),
      "address_in_use",
      false,
      409,
    ],
    [new IdentityInUseError("alice", "x"), "identity_in_use", false, 409],
    [
      new AmbiguousSendError({ operation: "messages.create" }, "x", { isRetryable: true }),
      "ambiguous_send",
      false,
      undefined,
    ],
    [new CircuitOpenError("x", { retryAfterMs: 5000 }), "circuit_open", true, undefined],
    [new WebhookSignatureError("bad", ["https://a"]), "webhook_signature_invalid", false, 403],
    [new WebhookParseError("x"), "webhook_malformed", false, 400],
    [new WebhookPayloadTooLargeError(10), "webhook_payload_too_large", false, 413],
    [new StreamOverflowError(3), "stream_overflow", false, undefined],
    [new InvalidAddressError("x"), "invalid_address", false, undefined],
  ];

  it.each(cases.map((entry) => [entry[0].name, ...entry] as const))(
    "%s has a stable code, retryability and status",
    (_name, error, code, isRetryable, status) => {
      expect(error.code).toBe(code);
      expect(error.isRetryable).toBe(isRetryable);
      expect(error.status).toBe(status);
      expect(error).toBeInstanceOf(TwilioError);
      expect(SwitchboardError.isSwitchboardError(error)).toBe(true);
      expect(error.name).toBe(error.constructor.name);
    },
  );

  it("keeps API errors catchable as TwilioApiError", () => {
    expect(new RateLimitedError("x")).toBeInstanceOf(TwilioApiError);
    expect(new AddressInUseError({}, "x")).toBeInstanceOf(TwilioApiError);
    expect(new WebhookParseError("x")).not.toBeInstanceOf(TwilioApiError);
  });

  it("carries typed fields", () => {
    expect(new StreamOverflowError(7)).toMatchObject({ missed: 7 });
    expect(new StreamOverflowError(7).message).toMatch(/7 events/);
    expect(new WebhookSignatureError("bad", ["https://a", "https://a:443"]).message).toMatch(
      /https:\/\/a, https:\/\/a:443.*proxy.*host.*port.*trailing slash.*Auth Token/s,
    );
    expect(new RateLimitedError("x", { retryAfterMs: 1500 }).retryAfterMs).toBe(1500);
    const cause = new Error("socket hang up");
    expect(new TwilioApiError("x", { cause }).cause).toBe(cause);
  });
});
