import { randomBytes } from "node:crypto";

/** A Content API template as the emulator keeps it (the REST JSON minus `url` and `links`). */
export interface ContentTemplate {
  /** `HX` + 32 hex digits. */
  sid: string;
  account_sid: string;
  friendly_name: string;
  /** ISO 639-1 language code, e.g. `en`. */
  language: string;
  /** Default values for placeholders, used when a send omits one. */
  variables: Record<string, string>;
  /** Content types by name (`twilio/text`, `twilio/quick-reply`…) and their definitions. */
  types: Record<string, Record<string, unknown>>;
  date_created: string;
  date_updated: string;
}

/** The fields a create request may set; see `parseContentCreateRequest`. */
export interface ContentTemplateInput {
  friendly_name: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, Record<string, unknown>>;
}

/**
 * Where a template stands with WhatsApp (Twilio's statuses). Only an `approved` template
 * may be sent outside a customer's 24-hour window.
 */
export type WhatsAppApprovalStatus =
  | "unsubmitted"
  | "received"
  | "pending"
  | "approved"
  | "rejected"
  | "paused"
  | "disabled";

/** A template's WhatsApp approval, in the Content API's wire names. */
export interface WhatsAppApproval {
  name: string;
  category: string;
  content_type: string;
  status: WhatsAppApprovalStatus;
  rejection_reason: string;
  allow_category_change: boolean;
}

/**
 * How templates get approved. `automatic` (the default): every template counts as approved
 * from creation, so a template fallback works with no ceremony. `manual`: a template starts
 * `unsubmitted`, an approval request makes it `pending`, and only a decision through
 * `decideApproval` (`POST /_emulator/content/{sid}/approval`) approves or rejects it — as on
 * Twilio, where WhatsApp reviews it.
 */
export type ContentApprovalMode = "automatic" | "manual";

/** One page of an account's templates, oldest first. */
export interface ContentPage {
  templates: ContentTemplate[];
  /** Opaque cursor for the next page, or `undefined` when this is the last page. */
  nextCursor: number | undefined;
}

/**
 * In-memory store of Content API templates. One per emulator instance (no module state),
 * so parallel emulators in one test process never see each other's templates.
 */
export interface ContentStore {
  create(accountSid: string, input: ContentTemplateInput): ContentTemplate;
  /**
   * The template with `sid`, or `undefined`. With `accountSid`, another account's template
   * is reported as missing, as Twilio does. This is the seam message delivery uses to
   * resolve a `ContentSid`.
   */
  get(sid: string, accountSid?: string): ContentTemplate | undefined;
  /** Templates created after `cursor` (exclusive; 0 = from the start), at most `limit`. */
  list(accountSid: string, cursor: number, limit: number): ContentPage;
  /** The template's WhatsApp approval, or `undefined` when there is no such template. */
  approval(sid: string, accountSid?: string): WhatsAppApproval | undefined;
  /**
   * Submits the template for WhatsApp approval (`POST …/ApprovalRequests/whatsapp`): it
   * becomes `pending` (`approved` in automatic mode). `undefined` when there is no such
   * template; throws `ContentApprovalError` when it is already pending or approved.
   */
  requestApproval(
    sid: string,
    accountSid: string,
    request: { name: string; category: string; allowCategoryChange?: boolean },
  ): WhatsAppApproval | undefined;
  /** WhatsApp's decision on the template (the emulator's control API plays WhatsApp). */
  decideApproval(
    sid: string,
    status: WhatsAppApprovalStatus,
    rejectionReason?: string,
  ): WhatsAppApproval | undefined;
  /** Whether the template may go out on WhatsApp outside the 24-hour window. */
  whatsappApproved(sid: string): boolean;
  /** Deletes the template; `false` if it did not exist for that account. */
  remove(sid: string, accountSid: string): boolean;
  /** Forgets every template (emulator reset). */
  clear(): void;
  /** Every template and the list cursor, for the emulator's state file. */
  persistentState(): ContentStoreState;
  /** Replaces everything with a saved `persistentState()`. */
  restoreState(state: ContentStoreState): void;
}

/** What a content store saves across restarts (see `persistentState`). */
export interface ContentStoreState {
  entries: Map<string, Entry>;
  sequence: number;
}

export interface ContentStoreOptions {
  /** Epoch milliseconds; inject the emulator clock. Defaults to `Date.now`. */
  now?: () => number;
  /** Makes sids; defaults to `HX` + 32 random hex digits. */
  createSid?: () => string;
  /** How templates get approved for WhatsApp (default `automatic`). */
  approval?: ContentApprovalMode;
}

/** An approval request the template's state refuses (already pending or approved). */
export class ContentApprovalError extends Error {}

interface Entry {
  template: ContentTemplate;
  /** Creation order; list cursors are sequence numbers so deletes never shift pages. */
  sequence: number;
  /** WhatsApp approval state (plain data, kept beside the template). */
  approval: WhatsAppApproval;
}

const approvalStatuses: readonly WhatsAppApprovalStatus[] = [
  "unsubmitted",
  "received",
  "pending",
  "approved",
  "rejected",
  "paused",
  "disabled",
];

/** Whether a string names one of Twilio's WhatsApp approval statuses. */
export function isApprovalStatus(value: string): value is WhatsAppApprovalStatus {
  return (approvalStatuses as readonly string[]).includes(value);
}

/** Creates an empty template store. */
export function createContentStore(options: ContentStoreOptions = {}): ContentStore {
  const now = options.now ?? Date.now;
  const createSid = options.createSid ?? (() => `HX${randomBytes(16).toString("hex")}`);
  const mode = options.approval ?? "automatic";
  if (mode !== "automatic" && mode !== "manual")
    throw new TypeError('createContentStore: approval must be "automatic" or "manual"');
  const entries = new Map<string, Entry>();
  let sequence = 0;
  const stamp = () => new Date(now()).toISOString().replace(/\.\d{3}Z$/, "Z");

  return {
    create(accountSid, input) {
      // The Content API prints whole seconds: 2015-07-30T19:00:00Z.
      const date = stamp();
      const template: ContentTemplate = {
        sid: createSid(),
        account_sid: accountSid,
        friendly_name: input.friendly_name,
        language: input.language,
        variables: { ...input.variables },
        types: structuredClone(input.types),
        date_created: date,
        date_updated: date,
      };
      sequence += 1;
      const contentType = Object.keys(template.types)[0] ?? "";
      const approval: WhatsAppApproval =
        mode === "automatic"
          ? {
              name: template.friendly_name,
              category: "UTILITY",
              content_type: contentType,
              status: "approved",
              rejection_reason: "",
              allow_category_change: true,
            }
          : {
              name: "",
              category: "",
              content_type: "",
              status: "unsubmitted",
              rejection_reason: "",
              allow_category_change: true,
            };
      entries.set(template.sid, { template, sequence, approval });
      return template;
    },
    approval(sid, accountSid) {
      const entry = entries.get(sid);
      if (!entry || (accountSid !== undefined && entry.template.account_sid !== accountSid))
        return undefined;
      return entry.approval;
    },
    requestApproval(sid, accountSid, request) {
      const entry = entries.get(sid);
      if (!entry || entry.template.account_sid !== accountSid) return undefined;
      if (entry.approval.status === "pending" || entry.approval.status === "approved")
        throw new ContentApprovalError(
          `Content ${sid} already has a WhatsApp approval request (${entry.approval.status})`,
        );
      entry.approval = {
        name: request.name,
        category: request.category,
        content_type: Object.keys(entry.template.types)[0] ?? "",
        status: mode === "automatic" ? "approved" : "pending",
        rejection_reason: "",
        allow_category_change: request.allowCategoryChange ?? true,
      };
      entry.template.date_updated = stamp();
      return entry.approval;
    },
    decideApproval(sid, status, rejectionReason) {
      const entry = entries.get(sid);
      if (!entry) return undefined;
      entry.approval = {
        ...entry.approval,
        // A decision on a template nobody submitted still names it, as WhatsApp would.
        name: entry.approval.name || entry.template.friendly_name,
        category: entry.approval.category || "UTILITY",
        content_type: entry.approval.content_type || (Object.keys(entry.template.types)[0] ?? ""),
        status,
        rejection_reason: status === "rejected" ? (rejectionReason ?? "") : "",
      };
      entry.template.date_updated = stamp();
      return entry.approval;
    },
    whatsappApproved(sid) {
      return entries.get(sid)?.approval.status === "approved";
    },
    get(sid, accountSid) {
      const entry = entries.get(sid);
      if (!entry) return undefined;
      if (accountSid !== undefined && entry.template.account_sid !== accountSid) return undefined;
      return entry.template;
    },
    list(accountSid, cursor, limit) {
      const matching = [...entries.values()].filter(
        (entry) => entry.template.account_sid === accountSid && entry.sequence > cursor,
      );
      const page = matching.slice(0, limit);
      const last = page.at(-1);
      return {
        templates: page.map((entry) => entry.template),
        nextCursor: matching.length > limit && last ? last.sequence : undefined,
      };
    },
    remove(sid, accountSid) {
      const entry = entries.get(sid);
      if (!entry || entry.template.account_sid !== accountSid) return false;
      entries.delete(sid);
      return true;
    },
    clear() {
      entries.clear();
    },
    persistentState: () => ({ entries, sequence }),
    restoreState(state) {
      entries.clear();
      for (const [sid, entry] of state.entries) entries.set(sid, entry);
      sequence = state.sequence;
    },
  };
}
