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
  entries: Map<string, { template: ContentTemplate; sequence: number }>;
  sequence: number;
}

export interface ContentStoreOptions {
  /** Epoch milliseconds; inject the emulator clock. Defaults to `Date.now`. */
  now?: () => number;
  /** Makes sids; defaults to `HX` + 32 random hex digits. */
  createSid?: () => string;
}

interface Entry {
  template: ContentTemplate;
  /** Creation order; list cursors are sequence numbers so deletes never shift pages. */
  sequence: number;
}

/** Creates an empty template store. */
export function createContentStore(options: ContentStoreOptions = {}): ContentStore {
  const now = options.now ?? Date.now;
  const createSid = options.createSid ?? (() => `HX${randomBytes(16).toString("hex")}`);
  const entries = new Map<string, Entry>();
  let sequence = 0;

  return {
    create(accountSid, input) {
      // The Content API prints whole seconds: 2015-07-30T19:00:00Z.
      const date = new Date(now()).toISOString().replace(/\.\d{3}Z$/, "Z");
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
      entries.set(template.sid, { template, sequence });
      return template;
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
