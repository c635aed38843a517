import type { EmulatorClock } from "../clock.js";
import { twilioErrors } from "../http/twilio-errors.js";
import { isSid, seededSid } from "../sid.js";
import { AddressPairIndex } from "./address-pair-index.js";
import { type EmulatorEvents, noEmulatorEvents } from "./emulator-events.js";
import { KeyedMutex } from "./keyed-mutex.js";
import type { EmulatorLookups } from "./lookups.js";
import type {
  AccountConfiguration,
  AccountWebhookConfiguration,
  AddressConfigurationRecord,
  ConversationRecord,
  CredentialRecord,
  NotificationSettings,
  ServiceRecord,
} from "./records.js";
import { defaultRoleSids, defaultRoles } from "./role-actions.js";

export interface EmulatorStoreOptions {
  accountSid: string;
  defaultServiceSid: string;
  clock: EmulatorClock;
}

/**
 * The emulator's in-memory state for one account. Reads live here; every change goes
 * through the action functions (`store/*-actions.ts`) so that events fire.
 */
export class EmulatorStore {
  readonly accountSid: string;
  readonly defaultServiceSid: string;
  readonly clock: EmulatorClock;
  /** Replaced by the webhook module (issue 3); no-op by default. */
  events: EmulatorEvents = noEmulatorEvents;
  lookups: EmulatorLookups = {
    lookupMedia: () => undefined,
    lookupContent: () => undefined,
  };
  services = new Map<string, ServiceRecord>();
  configuration!: AccountConfiguration;
  webhooks!: AccountWebhookConfiguration;
  addresses = new Map<string, AddressConfigurationRecord>();
  /** Push credentials (`CR…`), account-wide as on Twilio. */
  credentials = new Map<string, CredentialRecord>();
  /** Cancel functions of scheduled conversation timers, by conversation SID. */
  readonly timers = new Map<string, () => void>();
  /** Per-key locks making check-then-insert atomic across a pre-event webhook's await. */
  readonly locks = new KeyedMutex();
  /** The non-closed conversation of each SMS/WhatsApp Address+ProxyAddress pair. */
  readonly addressPairs = new AddressPairIndex();

  constructor(options: EmulatorStoreOptions) {
    this.accountSid = options.accountSid;
    this.defaultServiceSid = options.defaultServiceSid;
    this.clock = options.clock;
    this.reset();
  }

  /** Back to the start state: one default service, nothing else; timers cancelled. */
  reset(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.services.clear();
    this.addresses.clear();
    this.addressPairs.clear();
    this.credentials.clear();
    this.services.set(
      this.defaultServiceSid,
      createServiceRecord(
        this.defaultServiceSid,
        "Default Conversations Service",
        this.clock.now(),
      ),
    );
    this.configuration = {
      defaultChatServiceSid: this.defaultServiceSid,
      defaultMessagingServiceSid: seededSid("MG", `${this.accountSid}:messaging-service`),
      defaultInactiveTimer: null,
      defaultClosedTimer: null,
    };
    this.webhooks = {
      method: "POST",
      filters: [],
      preWebhookUrl: null,
      postWebhookUrl: null,
      target: "webhook",
    };
  }

  /** The service for a route: the named one, or the account's default. 404 if unknown. */
  service(serviceSid: string | undefined): ServiceRecord {
    const sid = serviceSid ?? this.configuration.defaultChatServiceSid;
    const service = this.services.get(sid);
    if (!service) throw twilioErrors.notFound(`/Services/${sid}`);
    return service;
  }

  /** A conversation by `CH…` SID or unique name. 404 if unknown. */
  conversation(service: ServiceRecord, sidOrUniqueName: string): ConversationRecord {
    const found = this.findConversation(service, sidOrUniqueName);
    if (!found) throw twilioErrors.notFound(`/Conversations/${sidOrUniqueName}`);
    return found;
  }

  findConversation(
    service: ServiceRecord,
    sidOrUniqueName: string,
  ): ConversationRecord | undefined {
    if (isSid(sidOrUniqueName, "CH")) return service.conversations.get(sidOrUniqueName);
    for (const conversation of service.conversations.values())
      if (conversation.uniqueName === sidOrUniqueName) return conversation;
    return undefined;
  }

  /** Every conversation of the account, across services. */
  *allConversations(): Iterable<ConversationRecord> {
    for (const service of this.services.values()) yield* service.conversations.values();
  }
}

export function createServiceRecord(sid: string, friendlyName: string, now: number): ServiceRecord {
  const roles = defaultRoleSids(sid);
  return {
    sid,
    friendlyName,
    dateCreated: now,
    dateUpdated: now,
    configuration: {
      defaultConversationCreatorRoleSid: roles.conversationCreator,
      defaultConversationRoleSid: roles.conversationParticipant,
      defaultChatServiceRoleSid: roles.serviceUser,
      reachabilityEnabled: false,
    },
    webhooks: { preWebhookUrl: null, postWebhookUrl: null, filters: [], method: "POST" },
    conversations: new Map(),
    users: new Map(),
    roles: defaultRoles(sid, now),
    bindings: new Map(),
    notifications: defaultNotificationSettings(),
  };
}

/** A new service's push settings: everything off, as Twilio starts a service. */
export function defaultNotificationSettings(): NotificationSettings {
  const off = { enabled: false, template: null, sound: null };
  return {
    logEnabled: false,
    newMessage: {
      ...off,
      badgeCountEnabled: false,
      withMedia: { enabled: false, template: null },
    },
    addedToConversation: { ...off },
    removedFromConversation: { ...off },
  };
}
