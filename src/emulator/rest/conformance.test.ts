import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";
import {
  exampleKeyDifferences,
  OpenApiValidator,
  RecordingRequestClient,
} from "./openapi-conformance.test-support.js";

/**
 * Drives every emulated operation through the official SDK, records each raw response and
 * validates it against Twilio's OpenAPI schema for that path, method and status.
 */
describe("REST conformance with Twilio's OpenAPI file", () => {
  let emulator: Emulator;
  let recorder: RecordingRequestClient;
  let client: twilio.Twilio;
  const validator = new OpenApiValidator();

  // Every scenario runs here, so each test below reads a full recording and can run alone
  // (`-t`); a scenario's own expectations failing fails the whole file.
  beforeAll(async () => {
    emulator = await startEmulator();
    recorder = new RecordingRequestClient(emulator.url);
    client = twilio(emulator.accountSid, emulator.authToken, { httpClient: recorder });
    await accountScenario();
    for (const form of ["default service", "named service"] as const)
      await conversationTreeScenario(form);
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function accountScenario() {
    const v1 = client.conversations.v1;
    await v1.configuration().fetch();
    await v1.configuration().update({ defaultInactiveTimer: "PT1H", defaultClosedTimer: "P1D" });
    await v1.configuration.webhooks().fetch();
    await v1.configuration.webhooks().update({
      filters: ["onMessageAdded", "onConversationAdded"],
      postWebhookUrl: "https://example.com/hook",
      method: "POST",
      target: "webhook",
    });
    const service = await v1.services.create({ friendlyName: "Support" });
    await v1.services.list();
    await v1.services(service.sid).fetch();
    await v1.services(service.sid).configuration().fetch();
    await v1.services(service.sid).configuration().update({ reachabilityEnabled: true });
    await v1.services(service.sid).configuration.webhooks().fetch();
    const webhooks = await v1
      .services(service.sid)
      .configuration.webhooks()
      .update({
        preWebhookUrl: "https://example.com/pre",
        filters: ["onMessageAdd"],
        method: "POST",
      });
    expect(webhooks.filters).toEqual(["onMessageAdd"]);
    const address = await v1.addressConfigurations.create({
      type: "sms",
      address: "+15017122661",
      "autoCreation.enabled": true,
      "autoCreation.type": "default",
      "autoCreation.conversationServiceSid": service.sid,
    });
    expect(address.autoCreation).toMatchObject({
      enabled: true,
      conversation_service_sid: service.sid,
    });
    await v1.addressConfigurations.list();
    await v1.addressConfigurations(address.sid).fetch();
    await v1.addressConfigurations(address.sid).update({ friendlyName: "Main line" });
    await v1.addressConfigurations(address.sid).remove();

    // Roles, in the default form and on the named service: the defaults the configuration
    // reports resolve, and new ones go through create, fetch, update and delete.
    for (const roles of [v1.roles, v1.services(service.sid).roles] as (typeof v1.roles)[]) {
      const listed = await roles.list();
      expect(listed.map((role) => role.friendlyName).sort()).toEqual([
        "channel admin",
        "channel user",
        "service admin",
        "service user",
      ]);
      const role = await roles.create({
        friendlyName: "Supervisor",
        type: "conversation",
        permission: ["sendMessage", "removeParticipant"],
      });
      expect(role.permissions).toEqual(["sendMessage", "removeParticipant"]);
      await roles(role.sid).fetch();
      const updated = await roles(role.sid).update({ permission: ["sendMessage"] });
      expect(updated.permissions).toEqual(["sendMessage"]);
      await roles(role.sid).remove();
    }
    const serviceConfiguration = await v1.services(service.sid).configuration().fetch();
    for (const sid of [
      serviceConfiguration.defaultChatServiceRoleSid,
      serviceConfiguration.defaultConversationRoleSid,
      serviceConfiguration.defaultConversationCreatorRoleSid,
    ])
      expect((await v1.services(service.sid).roles(sid).fetch()).sid).toBe(sid);

    const credential = await v1.credentials.create({
      type: "apn",
      friendlyName: "iOS",
      certificate: "-----BEGIN CERTIFICATE-----",
      privateKey: "-----BEGIN RSA PRIVATE KEY-----",
      sandbox: true,
    });
    expect(credential.sandbox).toBe("True");
    await v1.credentials.list();
    await v1.credentials(credential.sid).fetch();
    await v1.credentials(credential.sid).update({ friendlyName: "iOS (prod)", sandbox: false });

    // Bindings come from a client registering for push; the control API plays that client.
    const registered = await fetch(`${emulator.url}/_emulator/bindings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        serviceSid: service.sid,
        identity: "ada",
        bindingType: "apn",
        credentialSid: credential.sid,
      }),
    });
    expect(registered.status).toBe(201);
    const { sid: bindingSid } = (await registered.json()) as { sid: string };
    const bindings = v1.services(service.sid).bindings;
    expect((await bindings.list({ identity: ["ada"], bindingType: ["apn"] })).length).toBe(1);
    expect(await bindings.list({ identity: ["someone-else"] })).toEqual([]);
    await bindings(bindingSid).fetch();
    await bindings(bindingSid).remove();
    await v1.credentials(credential.sid).remove();

    const notifications = v1.services(service.sid).configuration.notifications();
    await notifications.fetch();
    const changed = await notifications.update({
      logEnabled: true,
      "newMessage.enabled": true,
      "newMessage.template": "You have a new message",
      "newMessage.withMedia.enabled": true,
      "addedToConversation.enabled": true,
    });
    expect(changed.newMessage).toMatchObject({
      enabled: true,
      template: "You have a new message",
      with_media: { enabled: true },
    });
    await v1.services(service.sid).remove();
  }

  async function conversationTreeScenario(form: "default service" | "named service") {
    const v1 = client.conversations.v1;
    // The service-scoped context has the same conversation tree; one type keeps calls uniform.
    const scope = (form === "default service"
      ? v1
      : v1.services(emulator.serviceSid)) as unknown as typeof v1;
    const conversation = await scope.conversations.create({
      friendlyName: "Order 1",
      uniqueName: `order-${form}`,
      attributes: JSON.stringify({ order: 1 }),
      "timers.inactive": "PT5M",
      "timers.closed": "PT1H",
    });
    expect(conversation.sid).toMatch(/^CH[0-9a-f]{32}$/);
    await scope.conversations(conversation.sid).fetch();
    const byName = await scope.conversations(`order-${form}`).fetch();
    expect(byName.sid).toBe(conversation.sid);
    await scope.conversations.list({ state: "active" });
    await scope.conversations(conversation.sid).update({ friendlyName: "Order 1 (paid)" });

    const chat = await scope
      .conversations(conversation.sid)
      .participants.create({ identity: "agent" });
    const sms = await scope.conversations(conversation.sid).participants.create({
      "messagingBinding.address": `+1555000${form.length}`,
      "messagingBinding.proxyAddress": "+15017122661",
    });
    await scope.conversations(conversation.sid).participants.create({
      "messagingBinding.address": `whatsapp:+1555111${form.length}`,
      "messagingBinding.proxyAddress": "whatsapp:+15017122661",
    });
    await scope.conversations(conversation.sid).participants.list();
    await scope.conversations(conversation.sid).participants(chat.sid).fetch();
    await scope.conversations(conversation.sid).participants("agent").fetch();
    // The service-scoped and default ParticipantConversations lists are separate SDK types.
    const byIdentity = await (form === "default service"
      ? v1.participantConversations.list({ identity: "agent" })
      : v1.services(emulator.serviceSid).participantConversations.list({ identity: "agent" }));
    expect(byIdentity.map((item) => item.participantSid)).toContain(chat.sid);
    const byAddress = await (form === "default service"
      ? v1.participantConversations.list({ address: `+1555000${form.length}` })
      : v1
          .services(emulator.serviceSid)
          .participantConversations.list({ address: `+1555000${form.length}` }));
    expect(byAddress.map((item) => item.conversationSid)).toEqual([conversation.sid]);

    const message = await scope.conversations(conversation.sid).messages.create({
      author: "agent",
      body: "Hello",
      attributes: JSON.stringify({ replyTo: 1 }),
    });
    expect(message.participantSid).toBe(chat.sid);
    await scope.conversations(conversation.sid).messages.create({ body: "system note" });
    await scope.conversations(conversation.sid).messages.list({ order: "desc" });
    await scope.conversations(conversation.sid).messages(message.sid).fetch();
    await scope.conversations(conversation.sid).messages(message.sid).update({ body: "Hello!" });
    const receipts = await scope
      .conversations(conversation.sid)
      .messages(message.sid)
      .deliveryReceipts.list();
    expect(receipts).toHaveLength(2);
    await scope
      .conversations(conversation.sid)
      .messages(message.sid)
      .deliveryReceipts(receipts[0]!.sid)
      .fetch();
    await scope
      .conversations(conversation.sid)
      .participants(chat.sid)
      .update({ lastReadMessageIndex: message.index });

    const hook = await scope.conversations(conversation.sid).webhooks.create({
      target: "webhook",
      "configuration.url": "https://example.com/conversation-hook",
      "configuration.filters": ["onMessageAdded"],
      "configuration.method": "post",
    });
    await scope.conversations(conversation.sid).webhooks.list();
    await scope.conversations(conversation.sid).webhooks(hook.sid).fetch();
    await scope
      .conversations(conversation.sid)
      .webhooks(hook.sid)
      .update({ "configuration.url": "https://example.com/2" });
    await scope.conversations(conversation.sid).webhooks(hook.sid).remove();

    const user = await scope.users.create({ identity: `user-${form}`, attributes: "{}" });
    await scope.users.list();
    await scope.users(user.sid).fetch();
    await scope.users(`user-${form}`).fetch();
    await scope.users(user.sid).update({ friendlyName: "User" });
    await scope.users(user.sid).remove();

    const withParticipants = await scope.conversationWithParticipants.create({
      friendlyName: "Group",
      participant: [JSON.stringify({ identity: "a" }), JSON.stringify({ identity: "b" })],
    });
    expect(withParticipants.sid).toMatch(/^CH/);

    // User Conversations: the conversations a user's identity takes part in.
    const agentUser = await scope.users.create({ identity: "agent" });
    const userConversations = await scope.users(agentUser.sid).userConversations.list();
    expect(userConversations.map((item) => item.conversationSid)).toContain(conversation.sid);
    const membership = await scope.users("agent").userConversations(conversation.sid).fetch();
    expect(membership.participantSid).toBe(chat.sid);
    const muted = await scope
      .users(agentUser.sid)
      .userConversations(conversation.sid)
      .update({ notificationLevel: "muted", lastReadMessageIndex: message.index });
    expect(muted).toMatchObject({ notificationLevel: "muted", unreadMessagesCount: 1 });

    await scope.conversations(conversation.sid).messages(message.sid).remove();
    await scope.conversations(conversation.sid).participants(sms.sid).remove();
    await scope.users(agentUser.sid).userConversations(conversation.sid).remove();
    expect(await scope.users(agentUser.sid).userConversations.list()).toEqual([]);
    // Both forms address the same default service: leave no user behind for the next.
    await scope.users(agentUser.sid).remove();
    await scope.conversations(conversation.sid).update({ state: "closed" });
    await scope.conversations(conversation.sid).remove();
  }

  it("every recorded response matches the schema of its path, method and status", () => {
    expect(recorder.exchanges.length).toBeGreaterThan(60);
    const errors = recorder.exchanges.flatMap((exchange) => validator.errors(exchange));
    expect(errors).toEqual([]);
  });

  it("answers with the same property names as Twilio's own examples", () => {
    const withExamples = recorder.exchanges.filter(
      (exchange) => validator.example(exchange) !== undefined,
    );
    expect(withExamples.length).toBeGreaterThan(50);
    const differences = new Set(
      recorder.exchanges.flatMap((exchange) => exampleKeyDifferences(validator, exchange)),
    );
    expect([...differences]).toEqual([]);
  });

  it("refuses a PageSize above each list's maximum in the spec, and accepts the maximum", async () => {
    const v1 = client.conversations.v1;
    const conversation = await v1.conversations.create({});
    const message = await v1.conversations(conversation.sid).messages.create({ body: "hi" });
    const user = await v1.users.create({ identity: "page-size" });
    const values: Record<string, string> = {
      ChatServiceSid: emulator.serviceSid,
      ConversationSid: conversation.sid,
      MessageSid: message.sid,
      UserSid: user.sid,
    };
    const authorization = `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString("base64")}`;
    const lists = validator
      .operations()
      .filter((operation) => operation.startsWith("GET "))
      .map((operation) => operation.slice(4))
      .filter((template) => validator.maximumPageSize(template) !== undefined);
    expect(lists).toHaveLength(22);
    const outcomes = [];
    for (const template of lists) {
      const maximum = validator.maximumPageSize(template)!;
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => values[name]!);
      // ParticipantConversations answers only with an Identity or Address filter.
      const filter = template.endsWith("/ParticipantConversations") ? "&Identity=agent" : "";
      const status = async (pageSize: number) =>
        (
          await fetch(`${emulator.url}${path}?PageSize=${pageSize}${filter}`, {
            headers: { authorization },
          })
        ).status;
      const over = await fetch(`${emulator.url}${path}?PageSize=${maximum + 1}${filter}`, {
        headers: { authorization },
      });
      outcomes.push({
        template,
        atMaximum: await status(maximum),
        overMaximum: over.status,
        code: ((await over.json()) as { code: number }).code,
      });
    }
    expect(outcomes.filter((outcome) => outcome.atMaximum !== 200)).toEqual([]);
    expect(
      outcomes.filter((outcome) => outcome.overMaximum !== 400 || outcome.code !== 20001),
    ).toEqual([]);
  });

  it("answers every operation of the spec with a 2xx", () => {
    // Only successful exchanges count: an operation answered 404 or 400 is not covered.
    const covered = new Set(
      recorder.exchanges
        .filter((exchange) => exchange.statusCode >= 200 && exchange.statusCode < 300)
        .map(
          (exchange) =>
            `${exchange.method.toUpperCase()} ${validator.templateFor(new URL(exchange.uri).pathname)}`,
        ),
    );
    const operations = validator.operations();
    expect(operations).toHaveLength(103);
    expect(operations.filter((operation) => !covered.has(operation))).toEqual([]);
  });
});
