import type twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";

/**
 * Credentials, Bindings, Notifications and User Conversations: the rules and refusals the
 * conformance scenario does not reach, through the official SDK over real HTTP.
 */
let emulator: Emulator;
let client: twilio.Twilio;
beforeAll(async () => {
  emulator = await startEmulator();
  client = emulator.twilioClient();
});
afterAll(async () => {
  await emulator.close();
});

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    const { status, code } = error as { status: number; code: number };
    return { status, code };
  }
  throw new Error("expected the request to fail");
}

function register(body: Record<string, unknown>) {
  return fetch(`${emulator.url}/_emulator/bindings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("credentials", () => {
  it("keeps type and sandbox, never returns secrets, and refuses a bad or changed type", async () => {
    const credentials = client.conversations.v1.credentials;
    const fcm = await credentials.create({ type: "fcm", secret: "server-key" });
    expect(fcm).toMatchObject({ type: "fcm", sandbox: null, friendlyName: null });
    expect(JSON.stringify(fcm.toJSON())).not.toContain("server-key");
    // The SDK refuses a missing Type itself; over raw HTTP the emulator does.
    const untyped = await fetch(`${emulator.url}/v1/Credentials`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "FriendlyName=x",
    });
    expect(untyped.status).toBe(400);
    expect(await untyped.json()).toMatchObject({ code: 20001 });
    expect(await failure(credentials.create({ type: "sms" as never }))).toEqual({
      status: 400,
      code: 20001,
    });
    expect(await failure(credentials(fcm.sid).update({ type: "apn" }))).toEqual({
      status: 400,
      code: 20001,
    });
    await credentials(fcm.sid).remove();
    expect(await failure(credentials(fcm.sid).fetch())).toEqual({ status: 404, code: 20404 });
  });
});

describe("bindings", () => {
  it("registers one binding per identity, type and endpoint, filters and deletes", async () => {
    const first = await register({ identity: "ada", bindingType: "fcm", endpoint: "phone" });
    expect(first.status).toBe(201);
    const again = await register({ identity: "ada", bindingType: "fcm", endpoint: "phone" });
    const [one, two] = (await Promise.all([first.json(), again.json()])) as { sid: string }[];
    expect(two!.sid).toBe(one!.sid);
    await register({ identity: "bob", bindingType: "twilsock" });
    const bindings = client.conversations.v1.services(emulator.serviceSid).bindings;
    expect((await bindings.list()).map((binding) => binding.identity).sort()).toEqual([
      "ada",
      "bob",
    ]);
    expect((await bindings.list({ bindingType: ["twilsock"] })).map((b) => b.identity)).toEqual([
      "bob",
    ]);
    expect(await failure(bindings.list({ bindingType: ["sms" as never] }))).toEqual({
      status: 400,
      code: 20001,
    });
    const fetched = await bindings(one!.sid).fetch();
    expect(fetched.messageTypes).toEqual([
      "new_message",
      "added_to_conversation",
      "removed_from_conversation",
    ]);
    await bindings(one!.sid).remove();
    expect(await failure(bindings(one!.sid).fetch())).toEqual({ status: 404, code: 20404 });
  });

  it("refuses a malformed registration without creating anything", async () => {
    const before = await client.conversations.v1.services(emulator.serviceSid).bindings.list();
    for (const [body, status] of [
      [{ identity: "x", bindingType: "sms" }, 400],
      [{ bindingType: "fcm" }, 400],
      [{ identity: "x", bindingType: "fcm", messageTypes: "new_message" }, 400],
      [{ identity: "x", bindingType: "fcm", credentialSid: `CR${"0".repeat(32)}` }, 404],
      [{ identity: "x", bindingType: "fcm", serviceSid: `IS${"0".repeat(32)}` }, 404],
    ] as const)
      expect((await register(body)).status).toBe(status);
    expect(await client.conversations.v1.services(emulator.serviceSid).bindings.list()).toEqual(
      before,
    );
  });
});

describe("notifications", () => {
  it("starts with everything off and keeps what an update sets", async () => {
    const notifications = client.conversations.v1
      .services(emulator.serviceSid)
      .configuration.notifications();
    expect(await notifications.fetch()).toMatchObject({
      logEnabled: false,
      newMessage: { enabled: false, badge_count_enabled: false },
    });
    await notifications.update({
      "removedFromConversation.enabled": true,
      "removedFromConversation.sound": "ring",
      "newMessage.badgeCountEnabled": true,
    });
    expect(await notifications.fetch()).toMatchObject({
      removedFromConversation: { enabled: true, sound: "ring", template: null },
      newMessage: { enabled: false, badge_count_enabled: true },
    });
    expect(await failure(notifications.update({ logEnabled: "maybe" as never }))).toEqual({
      status: 400,
      code: 20001,
    });
  });
});

describe("user conversations", () => {
  it("counts unread messages from the read horizon, mutes, and leaves", async () => {
    const v1 = client.conversations.v1;
    const user = await v1.users.create({ identity: "reader" });
    const conversation = await v1.conversations.create({ uniqueName: "reading-room" });
    const participant = await v1
      .conversations(conversation.sid)
      .participants.create({ identity: "reader" });
    for (const body of ["one", "two", "three"])
      await v1.conversations(conversation.sid).messages.create({ body });
    const membership = v1.users("reader").userConversations("reading-room");
    expect(await membership.fetch()).toMatchObject({
      unreadMessagesCount: null,
      notificationLevel: "default",
      participantSid: participant.sid,
      userSid: user.sid,
    });
    expect(await membership.update({ lastReadMessageIndex: 0 })).toMatchObject({
      unreadMessagesCount: 2,
      lastReadMessageIndex: 0,
    });
    expect(await failure(membership.update({ notificationLevel: "loud" as never }))).toEqual({
      status: 400,
      code: 20001,
    });
    expect((await membership.update({ notificationLevel: "muted" })).notificationLevel).toBe(
      "muted",
    );
    await membership.remove();
    expect(await v1.conversations(conversation.sid).participants.list()).toEqual([]);
    expect(await failure(membership.fetch())).toEqual({ status: 404, code: 20404 });
  });

  it("answers 404 for a user who is not in the conversation", async () => {
    const v1 = client.conversations.v1;
    const user = await v1.users.create({ identity: "outsider" });
    const conversation = await v1.conversations.create({});
    expect(await failure(v1.users(user.sid).userConversations(conversation.sid).fetch())).toEqual({
      status: 404,
      code: 20404,
    });
    expect(await v1.users(user.sid).userConversations.list()).toEqual([]);
  });
});
