/** Stored emulator state. Dates are epoch milliseconds on the emulator clock. */

export type ConversationState = "active" | "inactive" | "closed";

/** Where an action came from, as Twilio reports it in webhook `Source`. */
export type ActionSource = "API" | "SDK" | "SMS" | "WHATSAPP";

export interface MessagingBinding {
  type: "sms" | "whatsapp";
  address: string;
  proxy_address: string;
}

export interface MediaInfo {
  sid: string;
  size: number;
  content_type: string;
  filename: string | null;
}

export interface ServiceRecord {
  sid: string;
  friendlyName: string;
  dateCreated: number;
  dateUpdated: number;
  configuration: {
    defaultConversationCreatorRoleSid: string;
    defaultConversationRoleSid: string;
    defaultChatServiceRoleSid: string;
    reachabilityEnabled: boolean;
  };
  webhooks: WebhookSettings;
  conversations: Map<string, ConversationRecord>;
  users: Map<string, UserRecord>;
  /** Roles by `RL…` SID; the four defaults the configuration names exist from the start. */
  roles: Map<string, RoleRecord>;
  /** Push bindings by `BS…` SID (registered by client SDKs, or the control API here). */
  bindings: Map<string, BindingRecord>;
  /** Push notification settings (`Configuration/Notifications`). */
  notifications: NotificationSettings;
}

/** Roles are scoped to a service (what a user may do) or a conversation (a participant). */
export type RoleType = "conversation" | "service";

export interface RoleRecord {
  sid: string;
  serviceSid: string;
  friendlyName: string;
  type: RoleType;
  permissions: string[];
  dateCreated: number;
  dateUpdated: number;
}

/** Push credential types Twilio accepts (APN, GCM, FCM). */
export type CredentialType = "apn" | "gcm" | "fcm";

/** A push credential. The secrets it was given are not kept: Twilio never returns them. */
export interface CredentialRecord {
  sid: string;
  friendlyName: string | null;
  type: CredentialType;
  /** APN only; Twilio prints it as a string (`"False"` in its own example). */
  sandbox: boolean | null;
  dateCreated: number;
  dateUpdated: number;
}

export type BindingType = "apn" | "gcm" | "fcm" | "twilsock";

export interface BindingRecord {
  sid: string;
  serviceSid: string;
  credentialSid: string | null;
  identity: string;
  endpoint: string;
  bindingType: BindingType;
  messageTypes: string[];
  dateCreated: number;
  dateUpdated: number;
}

/** One push notification kind: `NewMessage`, `AddedToConversation`, `RemovedFromConversation`. */
export interface NotificationKindSettings {
  enabled: boolean;
  template: string | null;
  sound: string | null;
}

export interface NotificationSettings {
  logEnabled: boolean;
  newMessage: NotificationKindSettings & {
    badgeCountEnabled: boolean;
    withMedia: { enabled: boolean; template: string | null };
  };
  addedToConversation: NotificationKindSettings;
  removedFromConversation: NotificationKindSettings;
}

export interface WebhookSettings {
  preWebhookUrl: string | null;
  postWebhookUrl: string | null;
  filters: string[];
  method: "GET" | "POST";
}

export interface ConversationRecord {
  sid: string;
  serviceSid: string;
  friendlyName: string | null;
  uniqueName: string | null;
  attributes: string;
  state: ConversationState;
  messagingServiceSid: string | null;
  dateCreated: number;
  dateUpdated: number;
  /** ISO-8601 durations as given (`Timers.Inactive`, `Timers.Closed`). */
  timers: { inactive: string | null; closed: string | null };
  /** Last activity (creation, new message, timer change); timers count from here. */
  lastActivity: number;
  participants: Map<string, ParticipantRecord>;
  messages: MessageRecord[];
  nextIndex: number;
  webhooks: Map<string, ConversationWebhookRecord>;
}

export interface ParticipantRecord {
  sid: string;
  conversationSid: string;
  identity: string | null;
  attributes: string;
  messagingBinding: MessagingBinding | null;
  roleSid: string;
  dateCreated: number;
  dateUpdated: number;
  lastReadMessageIndex: number | null;
  lastReadTimestamp: string | null;
  /** Set through User Conversations; absent means `default`. */
  notificationLevel?: "default" | "muted";
}

export interface MessageRecord {
  sid: string;
  conversationSid: string;
  index: number;
  author: string;
  body: string | null;
  attributes: string;
  media: MediaInfo[] | null;
  participantSid: string | null;
  dateCreated: number;
  dateUpdated: number | null;
  contentSid: string | null;
  contentVariables: string | null;
  source: ActionSource;
  receipts: Map<string, ReceiptRecord>;
}

export type DeliveryStatus = "sent" | "delivered" | "read" | "failed" | "undelivered";

export interface ReceiptRecord {
  sid: string;
  conversationSid: string;
  messageSid: string;
  participantSid: string;
  channelMessageSid: string;
  status: DeliveryStatus;
  errorCode: number;
  dateCreated: number;
  dateUpdated: number;
}

export interface ConversationWebhookRecord {
  sid: string;
  conversationSid: string;
  target: "webhook" | "trigger" | "studio";
  configuration: Record<string, unknown>;
  dateCreated: number;
  dateUpdated: number;
}

export interface UserRecord {
  sid: string;
  serviceSid: string;
  identity: string;
  friendlyName: string | null;
  attributes: string;
  roleSid: string;
  dateCreated: number;
  dateUpdated: number;
}

export interface AddressConfigurationRecord {
  sid: string;
  type: string;
  address: string;
  friendlyName: string | null;
  autoCreation: {
    enabled: boolean;
    type: "webhook" | "studio" | "default";
    conversation_service_sid: string | null;
    webhook_url: string | null;
    webhook_method: "GET" | "POST" | null;
    webhook_filters: string[];
    studio_flow_sid: string | null;
    studio_retry_count: number | null;
  };
  addressCountry: string | null;
  dateCreated: number;
  dateUpdated: number;
}

export interface AccountConfiguration {
  defaultChatServiceSid: string;
  defaultMessagingServiceSid: string;
  defaultInactiveTimer: string | null;
  defaultClosedTimer: string | null;
}

export interface AccountWebhookConfiguration extends WebhookSettings {
  target: "webhook" | "flex";
}
