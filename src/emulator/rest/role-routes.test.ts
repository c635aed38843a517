import type twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";

/** Roles and the rules around them, through the official SDK over real HTTP. */
describe("roles", () => {
  let emulator: Emulator;
  let client: twilio.Twilio;
  beforeAll(async () => {
    emulator = await startEmulator();
    client = emulator.twilioClient();
  });
  afterAll(async () => {
    await emulator.close();
  });

  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      const { status, code } = error as { status: number; code: number };
      return { status, code };
    }
    throw new Error("expected the request to fail");
  };

  it("resolves the role SIDs every service configuration reports, with their scopes", async () => {
    const v1 = client.conversations.v1;
    const service = await v1.services.create({ friendlyName: "Roles" });
    const configuration = await v1.services(service.sid).configuration().fetch();
    const roles = v1.services(service.sid).roles;
    expect((await roles(configuration.defaultChatServiceRoleSid).fetch()).type).toBe("service");
    expect((await roles(configuration.defaultConversationRoleSid).fetch()).type).toBe(
      "conversation",
    );
    expect((await roles(configuration.defaultConversationCreatorRoleSid).fetch()).type).toBe(
      "conversation",
    );
    // Each service has its own roles: another service's SID does not resolve here.
    expect(await failure(v1.roles(configuration.defaultChatServiceRoleSid).fetch())).toEqual({
      status: 404,
      code: 20404,
    });
  });

  it("refuses a participant or user with an unknown role, or one of the wrong scope (50109)", async () => {
    const v1 = client.conversations.v1;
    const conversation = await v1.conversations.create({});
    const participants = v1.conversations(conversation.sid).participants;
    const configuration = await v1.services(emulator.serviceSid).configuration().fetch();
    const unknown = `RL${"0".repeat(32)}`;
    expect(await failure(participants.create({ identity: "a", roleSid: unknown }))).toEqual({
      status: 400,
      code: 50109,
    });
    expect(
      await failure(
        participants.create({ identity: "a", roleSid: configuration.defaultChatServiceRoleSid }),
      ),
    ).toEqual({ status: 400, code: 50109 });
    expect(await participants.list()).toEqual([]);

    const supervisor = await v1.roles.create({
      friendlyName: "supervisor",
      type: "conversation",
      permission: ["sendMessage", "removeParticipant"],
    });
    const added = await participants.create({ identity: "a", roleSid: supervisor.sid });
    expect(added.roleSid).toBe(supervisor.sid);
    expect(await failure(participants(added.sid).update({ roleSid: unknown }))).toEqual({
      status: 400,
      code: 50109,
    });
    expect((await participants(added.sid).fetch()).roleSid).toBe(supervisor.sid);

    expect(await failure(v1.users.create({ identity: "u", roleSid: supervisor.sid }))).toEqual({
      status: 400,
      code: 50109,
    });
    const user = await v1.users.create({ identity: "u" });
    expect(user.roleSid).toBe(configuration.defaultChatServiceRoleSid);
    expect(await failure(v1.users(user.sid).update({ roleSid: unknown }))).toEqual({
      status: 400,
      code: 50109,
    });
    expect(
      await failure(
        v1
          .services(emulator.serviceSid)
          .configuration()
          .update({ defaultChatServiceRoleSid: unknown }),
      ),
    ).toEqual({ status: 400, code: 50109 });
  });

  it("validates permissions by scope, replaces them on update, and keeps default roles", async () => {
    const roles = client.conversations.v1.roles;
    expect(
      await failure(
        roles.create({ friendlyName: "x", type: "service", permission: ["sendMessage"] }),
      ),
    ).toEqual({ status: 400, code: 20001 });
    expect(
      await failure(roles.create({ friendlyName: "x", type: "service", permission: [] })),
    ).toEqual({ status: 400, code: 20001 });
    expect(
      await failure(
        roles.create({ friendlyName: "x", type: "nope" as never, permission: ["sendMessage"] }),
      ),
    ).toEqual({ status: 400, code: 20001 });
    const role = await roles.create({
      friendlyName: "moderator",
      type: "service",
      permission: ["createConversation", "deleteAnyMessage"],
    });
    expect(
      (await roles(role.sid).update({ permission: ["joinConversation"] })).permissions,
    ).toEqual(["joinConversation"]);
    expect(await failure(roles(role.sid).update({ permission: ["sendMessage"] }))).toEqual({
      status: 400,
      code: 20001,
    });
    await roles(role.sid).remove();
    expect(await failure(roles(role.sid).fetch())).toEqual({ status: 404, code: 20404 });

    const configuration = await client.conversations.v1
      .services(emulator.serviceSid)
      .configuration()
      .fetch();
    expect(await failure(roles(configuration.defaultConversationRoleSid).remove())).toEqual({
      status: 400,
      code: 20001,
    });
  });
});
