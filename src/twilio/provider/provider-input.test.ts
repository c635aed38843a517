import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { InvalidInputError } from "./provider-errors.js";
import { TwilioProvider } from "./twilio-provider.js";

// Caller input is checked before anything reaches Twilio: a wrong type is refused rather
// than stringified, a misspelt field rather than ignored, and no request is made.
let emulator: Emulator;
let provider: TwilioProvider;
let conversationSid: string;
let requests: string[];
let removeHook: () => void;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  emulator.reset();
  provider = new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
  });
  conversationSid = (await provider.createConversation({ friendlyName: "input" })).id;
  requests = [];
  removeHook = emulator.addPreHook((request) => {
    requests.push(`${request.method} ${request.path}`);
    return undefined;
  });
});
afterEach(() => {
  removeHook();
});

/** The input error `attempt` fails with, after checking it made no request. */
async function refused(attempt: () => Promise<unknown>): Promise<InvalidInputError> {
  const error = await attempt().then(
    () => new Error("accepted"),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  expect(requests).toEqual([]);
  return error as InvalidInputError;
}

async function first<T>(items: AsyncIterable<T>): Promise<T | undefined> {
  for await (const item of items) return item;
  return undefined;
}

// Plain JavaScript callers: the types are what the checks are for.
const loosely = (value: unknown) => value as never;

describe("unknown fields", () => {
  it("are refused in createConversation and sendMessage, naming the one meant", async () => {
    const typo = await refused(() =>
      provider.createConversation(loosely({ friendlyNam: "Support" })),
    );
    expect(typo.field).toBe("friendlyNam");
    expect(typo.message).toMatch(/did you mean friendlyName\?/);
    const to = await refused(() =>
      provider.sendMessage(conversationSid, loosely({ content: "hi", tO: "customer" })),
    );
    expect(to.field).toBe("tO");
    expect(to.message).toMatch(/did you mean to\?/);
    expect(
      (
        await refused(() =>
          provider.sendMessage(
            conversationSid,
            loosely({ template: { contentSid: `HX${"0".repeat(32)}`, variable: {} } }),
          ),
        )
      ).field,
    ).toBe("template.variable");
    expect(
      (
        await refused(() =>
          provider.updateConversation(conversationSid, loosely({ sate: "closed" })),
        )
      ).message,
    ).toMatch(/did you mean state\?/);
    expect(
      (
        await refused(() =>
          provider.addParticipant(conversationSid, loosely({ chat: "a", role: 1 })),
        )
      ).field,
    ).toBe("role");
  });

  it("are refused in list and stream options", async () => {
    await refused(() => first(provider.listConversations(loosely({ sate: "active" }))));
    await refused(() => first(provider.listMessages(conversationSid, loosely({ orderBy: "asc" }))));
    expect(() => provider.events(loosely({ buffer: 5 }))).toThrow(InvalidInputError);
  });
});

describe("createConversation", () => {
  it("refuses a string instead of an input object", async () => {
    const error = await refused(() => provider.createConversation(loosely("Support")));
    expect(error.message).toMatch(/createConversation needs an object.*got "Support"/);
  });

  it("refuses non-string names instead of stringifying them", async () => {
    expect(
      (await refused(() => provider.createConversation(loosely({ friendlyName: 5 })))).field,
    ).toBe("friendlyName");
    expect(
      (await refused(() => provider.createConversation(loosely({ timers: { inactive: 60 } }))))
        .field,
    ).toBe("timers.inactive");
    expect(
      (
        await refused(() =>
          provider.updateConversation(conversationSid, loosely({ state: "open" })),
        )
      ).field,
    ).toBe("state");
  });
});

describe("sendMessage", () => {
  it("refuses attributes that are not a JSON object, as createConversation does", async () => {
    expect(
      (
        await refused(() =>
          provider.sendMessage(conversationSid, loosely({ content: "x", attributes: "{}" })),
        )
      ).field,
    ).toBe("attributes");
    const bigint = await refused(() =>
      provider.sendMessage(conversationSid, loosely({ content: "x", attributes: { a: 1n } })),
    );
    expect(bigint.field).toBe("attributes");
    expect(bigint.message).toMatch(/JSON-serialisable/);
    expect(
      (
        await refused(() =>
          provider.addParticipant(conversationSid, loosely({ chat: "a", attributes: { a: 1n } })),
        )
      ).field,
    ).toBe("attributes");
  });

  it("refuses a missing input and a non-string from or to", async () => {
    expect(
      (await refused(() => provider.sendMessage(conversationSid, loosely(undefined)))).field,
    ).toBe("message");
    expect(
      (
        await refused(() =>
          provider.sendMessage(conversationSid, loosely({ content: "x", from: 42 })),
        )
      ).field,
    ).toBe("from");
    expect(
      (
        await refused(() =>
          provider.sendMessage(conversationSid, loosely({ content: "x", to: {} })),
        )
      ).field,
    ).toBe("to");
    expect(
      (
        await refused(() =>
          provider.sendMessage(conversationSid, loosely({ content: "x", timeoutMs: "5" })),
        )
      ).field,
    ).toBe("timeoutMs");
  });
});

describe("lists", () => {
  it("refuse a startDate that is not a valid Date", async () => {
    for (const startDate of ["2020-01-01", 0, new Date("not a date")]) {
      const error = await refused(() => first(provider.listConversations(loosely({ startDate }))));
      expect(error.field).toBe("startDate");
    }
  });

  it("refuse a negative or fractional limit and a page size past Twilio's 100", async () => {
    for (const limit of [-1, 1.5, Number.NaN, "2"])
      expect(
        (await refused(() => first(provider.listMessages(conversationSid, loosely({ limit })))))
          .field,
      ).toBe("limit");
    expect(
      (await refused(() => first(provider.listMessages(conversationSid, { pageSize: 101 })))).field,
    ).toBe("pageSize");
    expect((await refused(() => first(provider.listConversations({ pageSize: 0 })))).field).toBe(
      "pageSize",
    );
  });
});

describe("SIDs", () => {
  it("checks participant and message SID shapes locally, as sendMessage checks media", async () => {
    expect((await refused(() => provider.removeParticipant(conversationSid, "xx"))).field).toBe(
      "participantSid",
    );
    expect((await refused(() => provider.listDeliveryReceipts(conversationSid, "xx"))).field).toBe(
      "messageId",
    );
    // A well-formed SID still goes to Twilio, which answers for it.
    await expect(
      provider.removeParticipant(conversationSid, `MB${"0".repeat(32)}`),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});
