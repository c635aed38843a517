import type { Emulator } from "../../src/emulator/index.js";
import { signedWebhookRequest } from "../../src/twilio/webhook/webhook-fixtures.js";

/** A customer message that exists in the emulator but whose webhook was never sent. */
export interface SeededMessage {
  conversationSid: string;
  messageSid: string;
  index: number;
  author: string;
  body: string;
  dateCreated: Date;
}

/**
 * Creates an SMS conversation for `customer` and `count` messages from them over REST
 * (REST writes fire no webhook), so a test can deliver the webhooks itself — shuffled,
 * duplicated, concurrent — for messages that really exist.
 */
export async function seedSmsConversation(
  emulator: Emulator,
  customer: string,
  bodies: readonly string[],
): Promise<SeededMessage[]> {
  const service = emulator.twilioClient().conversations.v1.services(emulator.serviceSid);
  const conversation = await service.conversations.create({});
  await service.conversations(conversation.sid).participants.create({
    "messagingBinding.address": customer,
    "messagingBinding.proxyAddress": emulator.numbers.sms,
  });
  const seeded: SeededMessage[] = [];
  for (const body of bodies)
    seeded.push(await addCustomerMessage(emulator, conversation.sid, customer, body));
  return seeded;
}

/** Adds one more message by `customer` to a seeded conversation at Twilio (no webhook). */
export async function addCustomerMessage(
  emulator: Emulator,
  conversationSid: string,
  customer: string,
  body: string,
): Promise<SeededMessage> {
  const service = emulator.twilioClient().conversations.v1.services(emulator.serviceSid);
  const message = await service
    .conversations(conversationSid)
    .messages.create({ author: customer, body });
  return {
    conversationSid,
    messageSid: message.sid,
    index: message.index,
    author: customer,
    body,
    dateCreated: message.dateCreated,
  };
}

/** Posts the signed `onMessageAdded` webhook of a seeded message, as Twilio would. */
export async function deliverWebhook(
  emulator: Emulator,
  webhookUrl: string,
  message: SeededMessage,
  options: { idempotencyToken?: string; retryCount?: number; fields?: Record<string, string> } = {},
): Promise<number> {
  const request = signedWebhookRequest({
    url: webhookUrl,
    authToken: emulator.authToken,
    fields: {
      AccountSid: emulator.accountSid,
      ChatServiceSid: emulator.serviceSid,
      ConversationSid: message.conversationSid,
      MessageSid: message.messageSid,
      Index: String(message.index),
      Author: message.author,
      Body: message.body,
      Source: "SMS",
      ParticipantSid: undefined,
      MessagingServiceSid: undefined,
      DateCreated: message.dateCreated.toISOString(),
      RetryCount: String(options.retryCount ?? 0),
      ...options.fields,
    },
    idempotencyToken: options.idempotencyToken ?? `token-${message.messageSid}`,
  });
  const response = await fetch(request.url, request);
  await response.arrayBuffer();
  return response.status;
}

/** Messages our bot sent into a conversation, oldest first, read back over REST. */
export async function botMessages(
  emulator: Emulator,
  conversationSid: string,
  botAuthor = "switchboard",
): Promise<{ sid: string; body: string | null; attributes: Record<string, unknown> }[]> {
  const messages = await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .conversations(conversationSid)
    .messages.list({ order: "asc", limit: 1000, pageSize: 100 });
  return messages
    .filter((message) => message.author === botAuthor)
    .map((message) => ({
      sid: message.sid,
      body: message.body,
      attributes: JSON.parse(message.attributes ?? "{}") as Record<string, unknown>,
    }));
}

/** Runs `tasks` with at most `limit` at once. */
export async function runLimited<T>(
  tasks: readonly (() => Promise<T>)[],
  limit: number,
): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const position = next++;
      results[position] = await tasks[position]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** A deterministic shuffle (seeded), so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  for (let position = copy.length - 1; position > 0; position--) {
    const other = Math.floor(random() * (position + 1));
    [copy[position], copy[other]] = [copy[other]!, copy[position]!];
  }
  return copy;
}
