import type { ContentStore } from "../content/content-store.js";
import { renderContentMessage } from "../content/render-content-message.js";
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

/** Twilio's error for a WhatsApp free-form message outside the 24-hour window. */
export const whatsappWindowErrorCode = 63016;

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
  conversationSid: string;
  messageSid: string;
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
  message: MessageRecord;
  conversationSid: string;
  from: string;
  body: string | null;
  receipt: ReceiptRecord | undefined;
  at: number;
}

/**
 * The channel side of outbound messages: what the carrier or WhatsApp does after a message
 * is added to a conversation. Each SMS/WhatsApp recipient's device receives it and its
 * receipt moves `sent` → `delivered` (WhatsApp then `read`), each step firing
 * `onDeliveryUpdated`; a WhatsApp free-form message outside the customer's 24-hour window
 * fails with 63016 instead and never reaches the device. Chat participants receive every
 * message they did not write.
 */
export interface ChannelDelivery {
  /** Records a customer's inbound message (opens or extends their WhatsApp window). */
  noteInbound(customer: string, business: string): void;
  /** Whether `customer` may receive free-form WhatsApp messages from `business` now. */
  windowOpen(customer: string, business: string): boolean;
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
      updateDeliveryReceipt(store, conversation, message, receipt, status, errorCode, origin);
      options.onChange();
    };
    if (
      binding.type === "whatsapp" &&
      message.contentSid === null &&
      !delivery.windowOpen(binding.address, binding.proxy_address)
    ) {
      update("failed", whatsappWindowErrorCode);
      return;
    }
    append(binding.address, {
      message,
      conversationSid: conversation.sid,
      from: binding.proxy_address,
      body: render(message, binding.type),
      receipt,
      at: store.clock.now(),
    });
    update("delivered", 0);
    if (binding.type === "whatsapp") later(() => update("read", 0));
  };

  const deliverToChat = (participant: ParticipantRecord, message: MessageRecord) => {
    append(participant.identity!, {
      message,
      conversationSid: message.conversationSid,
      from: message.author,
      body: render(message, "chat"),
      receipt: undefined,
      at: store.clock.now(),
    });
  };

  const toDeviceMessage = (entry: DeviceEntry): DeviceMessage => ({
    body: entry.body,
    media: (entry.message.media ?? []).map((item) => ({
      sid: item.sid,
      content_type: item.content_type,
      filename: item.filename,
      url: options.mediaUrl(item.sid),
    })),
    from: entry.from,
    dateCreated: new Date(entry.at).toISOString(),
    status: entry.receipt?.status ?? "delivered",
    conversationSid: entry.conversationSid,
    messageSid: entry.message.sid,
  });

  const delivery: ChannelDelivery = {
    noteInbound(customer, business) {
      lastInbound.set(windowKey(customer, business), store.clock.now());
    },
    windowOpen(customer, business) {
      const last = lastInbound.get(windowKey(customer, business));
      return last !== undefined && store.clock.now() - last < whatsappWindowMs;
    },
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
    deviceMessages: (address) => (inboxes.get(address) ?? []).map(toDeviceMessage),
    devices() {
      const result: Record<string, DeviceMessage[]> = {};
      for (const [address, entries] of inboxes) result[address] = entries.map(toDeviceMessage);
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
