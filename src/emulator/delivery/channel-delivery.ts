// Over 400 lines on purpose: the carrier simulation (receipts, injected failures, opt-outs, device
// inboxes, the WhatsApp window) shares one state and one timeline.
import type { ContentStore } from "../content/content-store.js";
import { renderContentMessage } from "../content/render-content-message.js";
import { newSid } from "../sid.js";
import type { ActionOrigin, EmulatorEvent } from "../store/emulator-events.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import { updateDeliveryReceipt } from "../store/message-actions.js";
import type {
  ConversationRecord,
  MessageRecord,
  MessagingBinding,
  ParticipantRecord,
  ReceiptRecord,
} from "../store/records.js";
import {
  type DeliveryFailure,
  type DeliveryFailureRule,
  deliveryFailureRule,
  deliveryFailures,
} from "./delivery-failures.js";
import { type DeliveryEntry, DeliveryLog } from "./delivery-log.js";
import type { SmsKeywordKind } from "./sms-keywords.js";
import { type SmsOptOut, SmsOptOutList } from "./sms-opt-out-list.js";

/** Twilio's error for a WhatsApp free-form message outside the 24-hour window. */
export const whatsappWindowErrorCode = deliveryFailures["outside-window"].errorCode;

/** The WhatsApp customer-service window: 24 hours from the customer's last inbound message. */
export const whatsappWindowMs = 24 * 60 * 60 * 1000;

/** A media item as a device shows it: the file and a signed link to its bytes. */
export interface DeviceMedia {
  sid: string;
  content_type: string;
  filename: string | null;
  url: string;
}

/** One message as a customer's phone, WhatsApp or chat client received it. */
export interface DeviceMessage {
  body: string | null;
  media: DeviceMedia[];
  /** Who sent it as the device sees it: our number for SMS/WhatsApp, the author for chat. */
  from: string;
  /** ISO 8601 with milliseconds, on the emulator clock. */
  dateCreated: string;
  /** The delivery receipt's status (`delivered`, `read`, …); `delivered` for chat. */
  status: string;
  /** Null for Twilio's own STOP/START/HELP auto-replies, which are outside any conversation. */
  conversationSid: string | null;
  /** The Conversations message (`IM…`), or the auto-reply's Messaging SID (`SM…`). */
  messageSid: string;
  /**
   * The buttons or list items of a Content message (`twilio/quick-reply`, `twilio/list-picker`,
   * …) as the device shows them; absent for plain messages. A WhatsApp tap comes back as a
   * message whose Body is the button's title.
   */
  buttons?: { title: string; id?: string }[];
}

export interface ChannelDeliveryOptions {
  store: EmulatorStore;
  content: ContentStore;
  /** A signed download URL for a media SID, for device views. */
  mediaUrl(sid: string): string;
  /** Called after every delivery change (receipt update, device inbox append). */
  onChange(): void;
}

/** One received message in a device's inbox. */
export interface DeviceEntry {
  /** The Conversations message; absent for a keyword auto-reply. */
  message: MessageRecord | undefined;
  messageSid: string;
  conversationSid: string | null;
  from: string;
  body: string | null;
  receipt: ReceiptRecord | undefined;
  at: number;
}

/**
 * The channel side of outbound messages: what the carrier or WhatsApp does after a message
 * is added to a conversation. Each SMS/WhatsApp recipient's receipt goes `sent` and then
 * `delivered` when the device receives it (WhatsApp then `read`), each step a separate,
 * later `onDeliveryUpdated` as Twilio reports them. A WhatsApp free-form message outside
 * the customer's 24-hour window fails with 63016, a send to an SMS number that texted STOP
 * fails with 21610, and a failure injected for the address (unreachable, carrier-filtered
 * …) ends the receipt `undelivered` or `failed` with its code; none of those reach the
 * device. Chat participants receive every message they did not write.
 */
export interface ChannelDelivery {
  /** Records a customer's inbound message (opens or extends their WhatsApp window). */
  noteInbound(customer: string, business: string): void;
  /** Whether `customer` may receive free-form WhatsApp messages from `business` now. */
  windowOpen(customer: string, business: string): boolean;
  /**
   * Applies Twilio's standard SMS keyword handling to an inbound SMS: STOP and its synonyms
   * opt the customer out, START and its synonyms back in, HELP answers; each gets Twilio's
   * auto-reply on the customer's device (HELP gets none while opted out). Returns the
   * keyword's kind, or undefined when the body is not a keyword.
   */
  handleSmsKeyword(
    customer: string,
    business: string,
    body: string | undefined,
  ): SmsKeywordKind | undefined;
  /** Whether `customer` has opted out of SMS (STOP) and not back in. */
  optedOut(customer: string): boolean;
  /** Every SMS opt-out in force. */
  optOuts(): SmsOptOut[];
  /** Makes every later delivery to `address` fail this way; `null` removes the rule. */
  setFailure(address: string, failure: DeliveryFailure | null): DeliveryFailureRule | undefined;
  /** The injected failures, by address. */
  failures(): DeliveryFailureRule[];
  /** Every outbound SMS/WhatsApp delivery with its status history, oldest first. */
  deliveries(): DeliveryEntry[];
  /** The store's post-event observer: starts deliveries for new messages. */
  observe(event: EmulatorEvent): void;
  /** What this address (`+1…`, `whatsapp:+1…` or a chat identity) received, oldest first. */
  deviceMessages(address: string): DeviceMessage[];
  /** Every device and its messages. */
  devices(): Record<string, DeviceMessage[]>;
  /** Resolves once no delivery step is pending. */
  idle(): Promise<void>;
  reset(): void;
  /**
   * Device inboxes and WhatsApp windows, for the emulator's state file. Inbox entries hold
   * the store's own message and receipt objects; the state file keeps them shared.
   */
  persistentState(): ChannelDeliveryState;
  /** Replaces inboxes and windows with a saved `persistentState()`. */
  restoreState(state: ChannelDeliveryState): void;
}

/** What channel delivery saves across restarts (see `persistentState`). */
export interface ChannelDeliveryState {
  lastInbound: Map<string, number>;
  inboxes: Map<string, DeviceEntry[]>;
}

export function createChannelDelivery(options: ChannelDeliveryOptions): ChannelDelivery {
  const { store } = options;
  const lastInbound = new Map<string, number>();
  const inboxes = new Map<string, DeviceEntry[]>();
  const injected = new Map<string, DeliveryFailureRule>();
  const optOuts = new SmsOptOutList();
  const log = new DeliveryLog();
  let pending = 0;
  const waiters: Array<() => void> = [];
  let generation = 0;

  const windowKey = (customer: string, business: string) => `${customer}\n${business}`;

  /** Runs `step` after the current REST answer is out, as a carrier reports back later. */
  const later = (step: () => void) => {
    pending += 1;
    const started = generation;
    setImmediate(() => {
      try {
        if (started === generation) step();
      } finally {
        pending -= 1;
        if (pending === 0) for (const resolve of waiters.splice(0)) resolve();
      }
    });
  };

  const append = (address: string, entry: DeviceEntry) => {
    const inbox = inboxes.get(address) ?? [];
    inbox.push(entry);
    inboxes.set(address, inbox);
    options.onChange();
  };

  const render = (message: MessageRecord, channel: "sms" | "whatsapp" | "chat") => {
    if (message.contentSid === null) return message.body;
    try {
      return renderContentMessage(options.content, {
        accountSid: store.accountSid,
        contentSid: message.contentSid,
        contentVariables: message.contentVariables,
        channel,
      }).body;
    } catch {
      return message.body;
    }
  };

  /** Why a delivery to this recipient fails before or at the carrier, if it does. */
  const failureFor = (message: MessageRecord, binding: MessagingBinding) => {
    const rule = injected.get(binding.address);
    if (rule) return rule;
    if (binding.type === "sms" && optOuts.has(binding.address))
      return deliveryFailureRule(binding.address, "opted-out");
    // Outside the window only an approved template goes out (twilio.com/docs/api/errors/63016:
    // business-initiated messages there "must use an approved template").
    if (
      binding.type === "whatsapp" &&
      (message.contentSid === null || !options.content.whatsappApproved(message.contentSid)) &&
      !delivery.windowOpen(binding.address, binding.proxy_address)
    )
      return deliveryFailureRule(binding.address, "outside-window");
    return undefined;
  };

  const deliverToChannel = (
    conversation: ConversationRecord,
    message: MessageRecord,
    receipt: ReceiptRecord,
    binding: MessagingBinding,
  ) => {
    const origin: ActionOrigin = {
      source: binding.type === "whatsapp" ? "WHATSAPP" : "SMS",
      webhookEnabled: true,
    };
    const update = (status: ReceiptRecord["status"], errorCode: number) => {
      // A deleted conversation or message takes its receipts with it: nothing to report.
      // Searching from the end finds a recent message at once, however long the history.
      const stored = store.services
        .get(conversation.serviceSid)
        ?.conversations.get(conversation.sid);
      if (stored !== conversation || conversation.messages.lastIndexOf(message) === -1) return;
      updateDeliveryReceipt(store, conversation, message, receipt, status, errorCode, origin);
      log.record(
        {
          conversationSid: conversation.sid,
          messageSid: message.sid,
          receiptSid: receipt.sid,
          channelMessageSid: receipt.channelMessageSid,
          to: binding.address,
          from: binding.proxy_address,
          channel: binding.type,
        },
        status,
        errorCode,
        store.clock.now(),
      );
      options.onChange();
    };
    const failure = failureFor(message, binding);
    if (failure?.status === "failed") {
      update("failed", failure.errorCode);
      return;
    }
    // Twilio reports each step separately: accepted by the carrier, then the handset.
    update("sent", 0);
    later(() => {
      if (failure) {
        update(failure.status, failure.errorCode);
        return;
      }
      append(binding.address, {
        message,
        messageSid: message.sid,
        conversationSid: conversation.sid,
        from: binding.proxy_address,
        body: render(message, binding.type),
        receipt,
        at: store.clock.now(),
      });
      update("delivered", 0);
      if (binding.type === "whatsapp") later(() => update("read", 0));
    });
  };

  /** Twilio's keyword auto-reply: straight to the phone, outside any conversation. */
  const autoReply = (customer: string, business: string, body: string) => {
    append(customer, {
      message: undefined,
      messageSid: newSid("SM"),
      conversationSid: null,
      from: business,
      body,
      receipt: undefined,
      at: store.clock.now(),
    });
  };

  const deliverToChat = (participant: ParticipantRecord, message: MessageRecord) => {
    append(participant.identity!, {
      message,
      messageSid: message.sid,
      conversationSid: message.conversationSid,
      from: message.author,
      body: render(message, "chat"),
      receipt: undefined,
      at: store.clock.now(),
    });
  };

  /** The Content message's buttons as the device on `address` renders them. */
  const buttonsOf = (entry: DeviceEntry, address: string): Pick<DeviceMessage, "buttons"> => {
    const message = entry.message;
    if (message === undefined || message.contentSid === null) return {};
    const channel = address.startsWith("whatsapp:")
      ? "whatsapp"
      : address.startsWith("+")
        ? "sms"
        : "chat";
    try {
      const { actions } = renderContentMessage(options.content, {
        accountSid: store.accountSid,
        contentSid: message.contentSid,
        contentVariables: message.contentVariables,
        channel,
      });
      const buttons = actions.map((action) => ({
        title: action.title,
        ...(action.id === undefined ? {} : { id: action.id }),
      }));
      return buttons.length === 0 ? {} : { buttons };
    } catch {
      return {};
    }
  };

  const toDeviceMessage = (entry: DeviceEntry, address: string): DeviceMessage => ({
    ...buttonsOf(entry, address),
    body: entry.body,
    media: (entry.message?.media ?? []).map((item) => ({
      sid: item.sid,
      content_type: item.content_type,
      filename: item.filename,
      url: options.mediaUrl(item.sid),
    })),
    from: entry.from,
    dateCreated: new Date(entry.at).toISOString(),
    status: entry.receipt?.status ?? "delivered",
    conversationSid: entry.conversationSid,
    messageSid: entry.messageSid,
  });

  const delivery: ChannelDelivery = {
    noteInbound(customer, business) {
      lastInbound.set(windowKey(customer, business), store.clock.now());
    },
    windowOpen(customer, business) {
      const last = lastInbound.get(windowKey(customer, business));
      return last !== undefined && store.clock.now() - last < whatsappWindowMs;
    },
    handleSmsKeyword(customer, business, body) {
      const outcome = optOuts.apply(customer, body, store.clock.now());
      if (outcome?.reply !== undefined) autoReply(customer, business, outcome.reply);
      if (outcome) options.onChange();
      return outcome?.kind;
    },
    optedOut: (customer) => optOuts.has(customer),
    optOuts: () => optOuts.entries(),
    setFailure(address, failure) {
      if (failure === null) {
        injected.delete(address);
        options.onChange();
        return undefined;
      }
      const rule = deliveryFailureRule(address, failure);
      injected.set(address, rule);
      options.onChange();
      return { ...rule };
    },
    failures: () => [...injected.values()].map((rule) => ({ ...rule })),
    deliveries: () => log.entries(),
    observe(event) {
      if (event.type !== "onMessageAdded" || !event.message || !event.conversation) return;
      const { conversation, message } = event;
      for (const receipt of message.receipts.values()) {
        const participant = conversation.participants.get(receipt.participantSid);
        const binding = participant?.messagingBinding;
        if (!binding || receipt.status !== "sent") continue;
        later(() => deliverToChannel(conversation, message, receipt, binding));
      }
      for (const participant of conversation.participants.values()) {
        if (participant.identity === null || participant.sid === message.participantSid) continue;
        later(() => deliverToChat(participant, message));
      }
    },
    deviceMessages: (address) =>
      (inboxes.get(address) ?? []).map((entry) => toDeviceMessage(entry, address)),
    devices() {
      const result: Record<string, DeviceMessage[]> = {};
      for (const [address, entries] of inboxes)
        result[address] = entries.map((entry) => toDeviceMessage(entry, address));
      return result;
    },
    idle() {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    reset() {
      generation += 1;
      lastInbound.clear();
      inboxes.clear();
      injected.clear();
      optOuts.clear();
      log.clear();
    },
    persistentState: () => ({ lastInbound, inboxes }),
    restoreState(state) {
      lastInbound.clear();
      inboxes.clear();
      for (const [key, at] of state.lastInbound) lastInbound.set(key, at);
      for (const [address, entries] of state.inboxes) inboxes.set(address, entries);
    },
  };
  return delivery;
}
