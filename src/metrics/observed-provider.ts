import type { RuntimeProvider } from "../runtime/runtime-provider.js";
import { withSpan } from "../telemetry/with-span.js";
import type { Metrics } from "./create-metrics.js";

/**
 * The runtime's provider with every send in a `switchboard.send` span and its failures
 * counted: `ambiguous` when the request left but no answer came back, `retry` for any other
 * failure (the outbox tries again; a final give-up is counted `failed` from `reply.failed`).
 */
export function observedProvider(provider: RuntimeProvider, metrics: Metrics): RuntimeProvider {
  const observed: RuntimeProvider = {
    sendMessage: (conversationId, message) =>
      withSpan("switchboard.send", { conversationSid: conversationId }, async () => {
        try {
          return await provider.sendMessage(conversationId, message);
        } catch (error) {
          const code = (error as { code?: unknown } | null)?.code;
          metrics.send(code === "ambiguous_send" ? "ambiguous" : "retry");
          throw error;
        }
      }),
    listMessages: (conversationId, options) => provider.listMessages(conversationId, options),
    // Read when the switchboard is built: it verifies webhooks with the provider's token.
    ...(provider.webhookVerification === undefined
      ? {}
      : { webhookVerification: provider.webhookVerification }),
  };
  if (provider.start !== undefined) observed.start = () => provider.start!();
  if (provider.listConversations !== undefined)
    observed.listConversations = (options) => provider.listConversations!(options);
  if (provider.listDeliveryReceipts !== undefined)
    observed.listDeliveryReceipts = (conversationId, messageId) =>
      provider.listDeliveryReceipts!(conversationId, messageId);
  return observed;
}
