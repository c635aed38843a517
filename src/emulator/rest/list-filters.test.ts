import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";

/** List filters: the conversations date range and ParticipantConversations' lookups. */
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.reset();
});

const basic = () =>
  `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`;

async function get(path: string) {
  const response = await fetch(`${emulator.url}${path}`, {
    headers: { Authorization: basic() },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("GET /Conversations StartDate and EndDate", () => {
  async function createOnDays() {
    const conversations = emulator.twilioClient().conversations.v1.conversations;
    for (const day of ["01", "02", "03"])
      await conversations.create({
        friendlyName: `day ${day}`,
        dateCreated: new Date(`2024-01-${day}T12:00:00Z`),
      });
    return conversations;
  }
  const names = (list: Array<{ friendlyName: string }>) =>
    list.map((conversation) => conversation.friendlyName);

  it("keeps conversations created within the range, a bare end date counting its whole day", async () => {
    const conversations = await createOnDays();
    expect(names(await conversations.list({ startDate: "2024-01-02" }))).toEqual([
      "day 02",
      "day 03",
    ]);
    expect(names(await conversations.list({ endDate: "2024-01-02" }))).toEqual([
      "day 01",
      "day 02",
    ]);
    expect(
      names(await conversations.list({ startDate: "2024-01-02", endDate: "2024-01-02" })),
    ).toEqual(["day 02"]);
    expect(
      names(
        await conversations.list({
          startDate: "2024-01-02T13:00:00Z",
          endDate: "2024-01-03T11:59:59Z",
        }),
      ),
    ).toEqual([]);
  });

  it("answers 400 with Twilio's error body for a malformed date", async () => {
    for (const query of ["StartDate=yesterday", "EndDate=2024-13-45"]) {
      const { status, body } = await get(`/v1/Conversations?${query}`);
      expect(status, query).toBe(400);
      expect(body).toMatchObject({ status: 400, code: 20001 });
    }
  });
});

describe("GET /ParticipantConversations", () => {
  it("lists a chat identity's and an address's conversations, closed ones included", async () => {
    const v1 = emulator.twilioClient().conversations.v1;
    const open = await v1.conversations.create({ friendlyName: "open" });
    const closed = await v1.conversations.create({ friendlyName: "closed" });
    for (const conversation of [open, closed]) {
      await v1.conversations(conversation.sid).participants.create({ identity: "agent" });
      await v1.conversations(conversation.sid).participants.create({
        "messagingBinding.address": `+1555123${conversation === open ? "4001" : "4002"}`,
        "messagingBinding.proxyAddress": "+15550004000",
      });
    }
    await v1.conversations(closed.sid).update({ state: "closed" });
    const byIdentity = await v1.participantConversations.list({ identity: "agent" });
    expect(
      byIdentity.map((item) => [item.conversationFriendlyName, item.conversationState]),
    ).toEqual([
      ["open", "active"],
      ["closed", "closed"],
    ]);
    const byAddress = await v1
      .services(emulator.serviceSid)
      .participantConversations.list({ address: "+15551234002" });
    expect(byAddress).toHaveLength(1);
    expect(byAddress[0]).toMatchObject({
      conversationSid: closed.sid,
      participantIdentity: null,
      participantMessagingBinding: { address: "+15551234002", proxy_address: "+15550004000" },
    });
    expect(await v1.participantConversations.list({ identity: "nobody" })).toEqual([]);
  });

  it("answers 400 unless exactly one of Identity and Address is given", async () => {
    for (const query of ["", "?Identity=agent&Address=%2B15551234001"]) {
      const { status, body } = await get(`/v1/ParticipantConversations${query}`);
      expect(status, query).toBe(400);
      expect(body).toMatchObject({ status: 400, code: 20001 });
    }
  });

  it("answers 404 for an unknown service", async () => {
    const { status } = await get(
      `/v1/Services/IS${"0".repeat(32)}/ParticipantConversations?Identity=a`,
    );
    expect(status).toBe(404);
  });
});
