import type { ConversationRecord, ServiceRecord } from "./records.js";

/**
 * Which non-closed conversation holds each SMS/WhatsApp Address+ProxyAddress pair, so an
 * inbound message finds its conversation in O(1) instead of scanning every conversation
 * (issue 13 item 6: the scan fell from 1,469 creates/s at 5k conversations to 225/s at
 * 20k). Twilio binds a pair to at most one non-closed conversation, so one entry per pair.
 *
 * The store's actions keep it current (participant added, removed or re-proxied;
 * conversation closed or deleted). `find` also re-checks every hit against the records,
 * so a path that changes state without telling the index (a service deleted with its
 * conversations, state restored from a file) can leave only a stale entry that is dropped
 * on read, never a wrong answer; after loading state wholesale, call `rebuild`.
 */
export class AddressPairIndex {
  readonly #byPair = new Map<string, ConversationRecord>();

  /** The non-closed conversation holding `address` with `proxyAddress`, if any. */
  find(
    services: ReadonlyMap<string, ServiceRecord>,
    address: string,
    proxyAddress: string,
  ): ConversationRecord | undefined {
    const key = pairKey(address, proxyAddress);
    const conversation = this.#byPair.get(key);
    if (!conversation) return undefined;
    if (holdsPair(services, conversation, address, proxyAddress)) return conversation;
    this.#byPair.delete(key);
    return undefined;
  }

  /** Records that `conversation` now holds the pair. */
  add(address: string, proxyAddress: string, conversation: ConversationRecord): void {
    this.#byPair.set(pairKey(address, proxyAddress), conversation);
  }

  /** Forgets the pair if `conversation` is the one holding it. */
  remove(address: string, proxyAddress: string, conversation: ConversationRecord): void {
    const key = pairKey(address, proxyAddress);
    if (this.#byPair.get(key) === conversation) this.#byPair.delete(key);
  }

  /** Forgets every pair of `conversation` (closed or deleted: its pairs are free again). */
  removeConversation(conversation: ConversationRecord): void {
    for (const participant of conversation.participants.values()) {
      const binding = participant.messagingBinding;
      if (binding) this.remove(binding.address, binding.proxy_address, conversation);
    }
  }

  /** Rebuilds the index from the records, e.g. after state was loaded from a file. */
  rebuild(services: ReadonlyMap<string, ServiceRecord>): void {
    this.#byPair.clear();
    for (const service of services.values())
      for (const conversation of service.conversations.values()) {
        if (conversation.state === "closed") continue;
        for (const participant of conversation.participants.values()) {
          const binding = participant.messagingBinding;
          if (binding) this.add(binding.address, binding.proxy_address, conversation);
        }
      }
  }

  clear(): void {
    this.#byPair.clear();
  }

  /** How many pairs are indexed (for tests and diagnostics). */
  get size(): number {
    return this.#byPair.size;
  }
}

function pairKey(address: string, proxyAddress: string): string {
  return `${address}\u0000${proxyAddress}`;
}

function holdsPair(
  services: ReadonlyMap<string, ServiceRecord>,
  conversation: ConversationRecord,
  address: string,
  proxyAddress: string,
): boolean {
  if (conversation.state === "closed") return false;
  if (services.get(conversation.serviceSid)?.conversations.get(conversation.sid) !== conversation)
    return false;
  for (const participant of conversation.participants.values()) {
    const binding = participant.messagingBinding;
    if (binding && binding.address === address && binding.proxy_address === proxyAddress)
      return true;
  }
  return false;
}
