import type { MediaTranscript } from "../agents/types.js";
import type { MailboxStore } from "../mailbox/mailbox-store.js";

/**
 * What the runtime remembers for rich conversations, kept in the mailbox's meta table so
 * both stores hold it without a schema change and every instance sees it (the choices a
 * conversation was last offered need nothing here: they are on its last reply, see
 * `lastOfferedChoices`):
 * - `transcripts:<IM…>` — a message's voice-note transcripts by media position;
 * - `content:<choicesContentKey>` — the Content template (`HX…`) made for those choices,
 *   so the same choices are created on Twilio once.
 */
export interface RichState {
  transcripts(messageSid: string): Promise<ReadonlyMap<number, string>>;
  saveTranscripts(transcripts: readonly MediaTranscript[]): Promise<void>;
  contentSid(key: string): Promise<string | undefined>;
  rememberContent(key: string, contentSid: string): Promise<void>;
}

/** {@link RichState} over a mailbox's `getMeta`/`setMeta`. */
export function richState(mailbox: MailboxStore): RichState {
  return {
    async transcripts(messageSid) {
      return new Map(Object.entries(await readTranscripts(mailbox, messageSid)).map(toEntry));
    },
    async saveTranscripts(transcripts) {
      const byMessage = new Map<string, MediaTranscript[]>();
      for (const transcript of transcripts) {
        if (typeof transcript?.text !== "string" || transcript.text.trim() === "") continue;
        if (!Number.isInteger(transcript.mediaIndex) || transcript.mediaIndex < 0) continue;
        const list = byMessage.get(transcript.messageSid) ?? [];
        list.push(transcript);
        byMessage.set(transcript.messageSid, list);
      }
      for (const [messageSid, list] of byMessage) {
        const stored = await readTranscripts(mailbox, messageSid);
        for (const transcript of list) stored[String(transcript.mediaIndex)] = transcript.text;
        await mailbox.setMeta(`transcripts:${messageSid}`, JSON.stringify(stored));
      }
    },
    async contentSid(key) {
      return (await mailbox.getMeta(`content:${key}`)) ?? undefined;
    },
    async rememberContent(key, contentSid) {
      await mailbox.setMeta(`content:${key}`, contentSid);
    },
  };
}

async function readTranscripts(
  mailbox: MailboxStore,
  messageSid: string,
): Promise<Record<string, string>> {
  const value = await mailbox.getMeta(`transcripts:${messageSid}`);
  if (value === null) return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function toEntry([index, text]: [string, string]): [number, string] {
  return [Number(index), text];
}
