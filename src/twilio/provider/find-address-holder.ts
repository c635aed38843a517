import type twilio from "twilio";

type ServiceContext = ReturnType<twilio.Twilio["conversations"]["v1"]["services"]>;

/** How many non-closed conversations the fallback scan looks through at most. */
const maxScannedConversations = 200;

/**
 * Finds the non-closed conversation that already pairs `address` with `proxyAddress` (the
 * cause of a 50416). Asks ParticipantConversations (`?Address=`) first; where that is not
 * available, scans up to 200 active and inactive conversations. `undefined` when not found
 * or when the lookup itself fails: this only enriches an error, it never raises one.
 */
export async function findAddressHolder(
  service: ServiceContext,
  address: string,
  proxyAddress: string | undefined,
): Promise<string | undefined> {
  try {
    const rows = await service.participantConversations.list({ address, limit: 50 });
    const row = rows.find(
      (candidate) =>
        candidate.conversationState !== "closed" &&
        (proxyAddress === undefined ||
          bindingOf(candidate.participantMessagingBinding).proxyAddress === proxyAddress),
    );
    return row?.conversationSid;
  } catch {
    return scan(service, address, proxyAddress).catch(() => undefined);
  }
}

async function scan(
  service: ServiceContext,
  address: string,
  proxyAddress: string | undefined,
): Promise<string | undefined> {
  let scanned = 0;
  for (const state of ["active", "inactive"] as const) {
    const conversations = await service.conversations.list({
      state,
      limit: maxScannedConversations - scanned,
      // Without it the SDK asks for `limit` per page, above Twilio's maximum of 100.
      pageSize: 50,
    });
    for (const conversation of conversations) {
      scanned += 1;
      const participants = await service.conversations(conversation.sid).participants.list();
      const holds = participants.some((participant) => {
        const binding = bindingOf(participant.messagingBinding);
        return (
          binding.address === address &&
          (proxyAddress === undefined || binding.proxyAddress === proxyAddress)
        );
      });
      if (holds) return conversation.sid;
    }
    if (scanned >= maxScannedConversations) break;
  }
  return undefined;
}

function bindingOf(binding: unknown): { address?: string; proxyAddress?: string } {
  if (typeof binding !== "object" || binding === null) return {};
  const record = binding as Record<string, unknown>;
  return {
    ...(typeof record.address === "string" ? { address: record.address } : {}),
    ...(typeof record.proxy_address === "string" ? { proxyAddress: record.proxy_address } : {}),
  };
}
