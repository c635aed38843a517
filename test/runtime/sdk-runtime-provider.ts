import type { Emulator } from "../../src/emulator/index.js";
import type { RuntimeListedMessage, RuntimeProvider } from "../../src/runtime/runtime-provider.js";
import { channelOfAddress } from "../../src/twilio/channels/address.js";
import { AmbiguousSendError, RateLimitedError } from "../../src/twilio/errors.js";

/**
 * A `RuntimeProvider` over the official SDK pointed at the emulator: the stand-in used while
 * `TwilioProvider` was being written, kept as a second implementation of the interface.
 * Classifies failures the way `TwilioProvider` must: 429 → rate_limited; 5xx or a broken
 * connection after sending → ambiguous_send; other 4xx thrown as they are.
 */
export function sdkRuntimeProvider(emulator: Emulator): RuntimeProvider {
  const service = emulator.twilioClient().conversations.v1.services(emulator.serviceSid);
  return {
    async sendMessage(conversationId, message) {
      try {
        const created = await service.conversations(conversationId).messages.create({
          author: message.from,
          ...(message.content === undefined ? {} : { body: message.content }),
          attributes: JSON.stringify(message.attributes ?? {}),
          ...(message.template === undefined
            ? {}
            : {
                contentSid: message.template.contentSid,
                contentVariables: JSON.stringify(message.template.variables ?? {}),
              }),
        });
        return { id: created.sid, index: created.index };
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 429) throw new RateLimitedError("rate limited", { retryAfterMs: 50 });
        if (status === undefined || status >= 500)
          throw new AmbiguousSendError(
            { operation: "messages.create", conversationSid: conversationId },
            "outcome unknown",
            { cause: error },
          );
        throw error;
      }
    },
    async *listMessages(conversationId, options) {
      const messages = await service
        .conversations(conversationId)
        .messages.list({ order: options.order, limit: 500, pageSize: options.pageSize ?? 50 });
      for (const message of messages) {
        let attributes: Record<string, unknown> = {};
        try {
          attributes = JSON.parse(message.attributes ?? "{}");
        } catch {}
        const listed: RuntimeListedMessage = {
          id: message.sid,
          index: message.index,
          from: message.author,
          content: message.body,
          attributes,
          media: [],
          channel: channelOfAddress(message.author ?? "system"),
          participantSid: message.participantSid ?? null,
          createdAt: message.dateCreated,
        };
        yield listed;
      }
    },
    async *listConversations() {
      for (const conversation of await service.conversations.list({ limit: 1000, pageSize: 100 })) {
        yield {
          id: conversation.sid,
          state: conversation.state,
          createdAt: conversation.dateCreated,
        };
      }
    },
  };
}
