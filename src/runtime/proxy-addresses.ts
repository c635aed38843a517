import type { ConversationRecord, MailboxStore } from "../mailbox/mailbox-store.js";
import type { TwilioLogger } from "../twilio/logger.js";
import type { RuntimeProvider } from "./runtime-provider.js";

/** At most this many conversations are remembered; the least recently used is dropped. */
const defaultCapacity = 10_000;

/**
 * Each conversation's proxy address (our Twilio number or WhatsApp sender), so a message
 * authored by it is recognised as our own. `onMessageAdded` does not carry it; it is learnt
 * from participant and conversation events (`MessagingBinding.ProxyAddress`), from the
 * mailbox's conversation row (which keeps the latest value ingested), and — off the
 * webhook's path, so a 200 never waits for Twilio — from the provider's participant list.
 * Once known it travels on every ingested message and so is kept in the mailbox.
 */
export class ProxyAddresses {
  readonly #known = new Map<string, string | null>();
  readonly #asking = new Set<string>();
  readonly #capacity: number;
  readonly #provider: RuntimeProvider;
  readonly #logger: TwilioLogger;

  constructor(options: { provider: RuntimeProvider; logger: TwilioLogger; capacity?: number }) {
    this.#provider = options.provider;
    this.#logger = options.logger;
    this.#capacity = options.capacity ?? defaultCapacity;
  }

  /** Records what a participant or conversation event said. */
  remember(conversationSid: string, proxyAddress: string | null | undefined): void {
    if (proxyAddress === undefined || proxyAddress === null || proxyAddress === "") return;
    this.#set(conversationSid, proxyAddress);
  }

  /**
   * The proxy address if known here or in the mailbox; otherwise undefined, and the
   * provider is asked in the background for the conversation's next messages. `row`: the
   * conversation's row as the caller just read it (null: unknown), instead of reading it here.
   */
  async of(
    conversationSid: string,
    mailbox: MailboxStore,
    row?: ConversationRecord | null,
  ): Promise<string | undefined> {
    const cached = this.#known.get(conversationSid);
    if (typeof cached === "string") return cached;
    // `null`: already looked everywhere (a chat conversation has none); do not ask again.
    if (cached === null) return undefined;
    // `row`: the caller read the row already (the webhook's gap check): not read twice.
    const record = row !== undefined ? row : await mailbox.conversation(conversationSid);
    const stored = record?.proxyAddress ?? null;
    if (stored !== null) {
      this.#set(conversationSid, stored);
      return stored;
    }
    this.#set(conversationSid, null);
    // A chat conversation has no proxy address: its known channel says so without a
    // participant listing.
    if (record?.channel !== "chat") this.#askProvider(conversationSid);
    return undefined;
  }

  /** Asks the provider now (catch-up runs off the webhook's path and can wait). */
  async fetch(conversationSid: string): Promise<string | undefined> {
    const cached = this.#known.get(conversationSid);
    if (typeof cached === "string") return cached;
    if (this.#provider.listParticipants === undefined) return undefined;
    const participants = await this.#provider.listParticipants(conversationSid);
    const proxy = participants.find((participant) => participant.proxyAddress)?.proxyAddress;
    this.remember(conversationSid, proxy);
    return proxy ?? undefined;
  }

  #askProvider(conversationSid: string): void {
    if (this.#provider.listParticipants === undefined || this.#asking.has(conversationSid)) return;
    this.#asking.add(conversationSid);
    this.fetch(conversationSid)
      .catch((error) => {
        // Forget the miss, so a later message asks again.
        if (this.#known.get(conversationSid) === null) this.#known.delete(conversationSid);
        this.#logger.debug({ err: error, conversationSid }, "could not read the proxy address");
      })
      .finally(() => this.#asking.delete(conversationSid));
  }

  #set(conversationSid: string, proxyAddress: string | null): void {
    // Copies, not the strings given: those are often cut from a webhook's raw body, and a
    // remembered slice would keep the whole body alive.
    if (!this.#known.delete(conversationSid)) conversationSid = detachString(conversationSid);
    this.#known.set(conversationSid, proxyAddress === null ? null : detachString(proxyAddress));
    if (this.#known.size > this.#capacity) {
      const oldest = this.#known.keys().next().value;
      if (oldest !== undefined) this.#known.delete(oldest);
    }
  }
}

/** A copy of `text` sharing no memory with the (possibly much larger) string it was cut from. */
function detachString(text: string): string {
  return text.length === 0 ? text : Buffer.from(text, "utf8").toString("utf8");
}
