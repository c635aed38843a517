import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SwitchboardError } from "../errors.js";
import { parseRetryAfter, toSwitchboardError, twilioErrorCodes } from "./error-codes.js";
import {
  AddressInUseError,
  AmbiguousSendError,
  ConversationClosedError,
  IdentityInUseError,
  InvalidCredentialsError,
  NotFoundError,
  RateLimitedError,
  ServiceNotFoundError,
  TwilioApiError,
  UniqueNameTakenError,
  WebhookSignatureError,
} from "./errors.js";

const accountSid = "AC0123456789abcdef0123456789abcdef";
const serviceSid = "IS0123456789abcdef0123456789abcdef";
const conversationSid = "CH0123456789abcdef0123456789abcdef";
const otherConversation = "CHfedcba9876543210fedcba9876543210";

/** A stand-in Twilio answering each request with what the test queued. */
let reply: (response: ServerResponse) => void = (response) => response.end("{}");
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  request.resume();
  request.on("end", () => reply(response));
});
let baseUrl = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The official SDK, pointed at the stand-in by rewriting the host, as the provider will. */
function client(target: () => string = () => baseUrl) {
  class LocalRequestClient extends twilio.RequestClient {
    override request<T>(options: RequestClient.RequestOptions<T>) {
      return super.request<T>({
        ...options,
        uri: options.uri.replace(/^https:\/\/[^/]+/, target()),
      });
    }
  }
  return twilio(accountSid, "token", { httpClient: new LocalRequestClient({ timeout: 2000 }) });
}

function answer(status: number, body: unknown) {
  reply = (response) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
}

function twilioError(code: number, status: number, message: string) {
  answer(status, {
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  });
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the SDK call to fail");
}

const createMessage = () =>
  failure(() =>
    client().conversations.v1.conversations(conversationSid).messages.create({ body: "hello" }),
  );

const messageContext = {
  operation: "messages.create",
  resource: "message" as const,
  conversationSid,
  isCreate: true,
  payload: { body: "hello" },
};

describe("toSwitchboardError over real SDK errors", () => {
  it("maps 20003 to InvalidCredentialsError naming the variables", async () => {
    twilioError(20003, 401, "Authenticate");
    const error = toSwitchboardError(await createMessage(), messageContext);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error).toMatchObject({
      code: "invalid_credentials",
      twilioCode: 20003,
      status: 401,
      isRetryable: false,
    });
    expect(error.message).toMatch(
      /Invalid credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/,
    );
    expect(error.moreInfo).toBe("https://www.twilio.com/docs/errors/20003");
    expect(error.cause).toBeInstanceOf(twilio.RestException);
  });

  it("maps 20404 on the service to ServiceNotFoundError, elsewhere to NotFoundError", async () => {
    twilioError(20404, 404, "The requested resource was not found");
    const raw = await failure(() => client().conversations.v1.services(serviceSid).fetch());
    const serviceError = toSwitchboardError(raw, {
      operation: "services.fetch",
      resource: "service",
      serviceSid,
    });
    expect(serviceError).toBeInstanceOf(ServiceNotFoundError);
    expect(serviceError.message).toMatch(/Service not found: .*TWILIO_CONVERSATIONS_SERVICE_SID/);
    expect(serviceError.message).toContain(serviceSid);
    const conversationError = toSwitchboardError(raw, {
      operation: "conversations.fetch",
      resource: "conversation",
    });
    expect(conversationError).toBeInstanceOf(NotFoundError);
    expect(conversationError.code).toBe("not_found");
  });

  it.each([20429, 50063, 50074])(
    "maps %i to a retryable RateLimitedError with Retry-After",
    async (code) => {
      twilioError(code, 429, "Too many requests");
      const error = toSwitchboardError(await createMessage(), {
        ...messageContext,
        retryAfter: "3",
      });
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error).toMatchObject({
        isRetryable: true,
        retryAfterMs: 3000,
        twilioCode: code,
        code: "rate_limited",
      });
    },
  );

  it("maps the conversation errors to their classes", async () => {
    twilioError(50377, 400, "Conversation is closed");
    expect(toSwitchboardError(await createMessage(), messageContext)).toBeInstanceOf(
      ConversationClosedError,
    );

    twilioError(50353, 409, "Conversation with provided unique name already exists");
    const taken = toSwitchboardError(await createMessage(), {
      ...messageContext,
      uniqueName: "customer-1",
    });
    expect(taken).toBeInstanceOf(UniqueNameTakenError);
    expect((taken as UniqueNameTakenError).uniqueName).toBe("customer-1");

    twilioError(
      50416,
      409,
      `A binding for this participant and proxy address already exists in Conversation ${otherConversation}`,
    );
    const inUse = toSwitchboardError(await createMessage(), {
      operation: "participants.create",
      address: "+15551230001",
      proxyAddress: "+15017122661",
    });
    expect(inUse).toBeInstanceOf(AddressInUseError);
    expect(inUse).toMatchObject({
      address: "+15551230001",
      proxyAddress: "+15017122661",
      conversationSid: otherConversation,
    });

    twilioError(50433, 409, "Participant already exists");
    const identity = toSwitchboardError(await createMessage(), {
      operation: "participants.create",
      identity: "alice",
    });
    expect(identity).toBeInstanceOf(IdentityInUseError);
    expect((identity as IdentityInUseError).identity).toBe("alice");
  });

  it("keeps other codes as TwilioApiError with the table's stable code", async () => {
    twilioError(21617, 400, "The concatenated message body exceeds the 1600 character limit");
    const error = toSwitchboardError(await createMessage(), messageContext);
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error).toMatchObject({ code: "body_too_long", twilioCode: 21617, isRetryable: false });
    expect(error.message).toMatch(/messages.create failed: .*1600/);
  });

  it("makes a 5xx on a create ambiguous, carrying what was sent", async () => {
    answer(503, { code: 20500, message: "Service unavailable", status: 503 });
    const error = toSwitchboardError(await createMessage(), messageContext);
    expect(error).toBeInstanceOf(AmbiguousSendError);
    expect(error.isRetryable).toBe(false);
    expect((error as AmbiguousSendError).attempt).toEqual({
      operation: "messages.create",
      conversationSid,
      payload: { body: "hello" },
    });
  });

  it("makes a 5xx on a read retryable", async () => {
    answer(502, "<html>bad gateway</html>");
    const raw = await failure(() =>
      client().conversations.v1.conversations(conversationSid).fetch(),
    );
    const error = toSwitchboardError(raw, { operation: "conversations.fetch" });
    expect(error).toMatchObject({ code: "twilio_unavailable", isRetryable: true, status: 502 });
  });

  it("treats a connection reset during a create as ambiguous", async () => {
    reply = (response) => response.socket?.destroy();
    const error = toSwitchboardError(await createMessage(), messageContext);
    expect(error).toBeInstanceOf(AmbiguousSendError);
  });

  it("treats a refused connection as never sent, so retryable", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const raw = await failure(() =>
      client(() => `http://127.0.0.1:${port}`)
        .conversations.v1.conversations(conversationSid)
        .messages.create({ body: "x" }),
    );
    const error = toSwitchboardError(raw, messageContext);
    expect(error).not.toBeInstanceOf(AmbiguousSendError);
    expect(error).toMatchObject({ code: "connection_failed", isRetryable: true });
  });

  it("passes switchboard errors through and marks every class as a SwitchboardError", () => {
    const original = new WebhookSignatureError("test", []);
    expect(toSwitchboardError(original, messageContext)).toBe(original);
    expect(SwitchboardError.isSwitchboardError(original)).toBe(true);
  });

  it("reads RFC 9457 problem details", () => {
    const error = toSwitchboardError(
      {
        type: "about:blank",
        title: "Too Many Requests",
        status: 429,
        code: 20429,
        detail: "slow down",
      },
      { operation: "messages.create" },
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.message).toContain("slow down");
  });
});

describe("the code table", () => {
  it("lists the codes the brief names with their statuses", () => {
    expect(twilioErrorCodes[20003]?.status).toBe(401);
    expect(twilioErrorCodes[20429]?.errorClass).toBe("RateLimitedError");
    expect(twilioErrorCodes[50416]?.code).toBe("address_in_use");
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds, HTTP dates and nonsense", () => {
    const now = () => Date.parse("2026-05-18T13:00:00Z");
    expect(parseRetryAfter("2", now)).toBe(2000);
    expect(parseRetryAfter("Mon, 18 May 2026 13:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Mon, 18 May 2026 12:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
