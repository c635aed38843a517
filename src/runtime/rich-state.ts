import type { MediaTranscript } from "../agents/types.js";
import { type MailboxStore, transcriptLimits } from "../mailbox/mailbox-store.js";

/**
 * What the runtime remembers for rich conversations (the choices a conversation was last
 * offered need nothing here: they are on its last reply, see `lastOfferedChoices`):
 * - voice-note transcripts, in the mailbox's own transcript table (`saveTranscripts`), tied
 *   to their message so garbage collection removes them with it;
 * - `content:<choicesContentKey>` in the mailbox's meta — the Content template (`HX…`) made
 *   for those choices, so the same choices are created on Twilio once (a cache of Twilio
 *   state, not of a conversation's, so it has no conversation to follow).
 */
export interface RichState {
  transcripts(messageSid: string): Promise<ReadonlyMap<number, string>>;
  saveTranscripts(transcripts: readonly MediaTranscript[]): Promise<void>;
  contentSid(key: string): Promise<string | undefined>;
  rememberContent(key: string, contentSid: string): Promise<void>;
}

/** {@link RichState} over a mailbox. */
export function richState(mailbox: MailboxStore): RichState {
  return {
    async transcripts(messageSid) {
      const stored = await mailbox.transcripts(messageSid);
      return new Map(stored.map((entry) => [entry.mediaIndex, entry.text]));
    },
    async saveTranscripts(transcripts) {
      // An agent's output: entries the mailbox would refuse are dropped here, not failed on.
      const byMessage = new Map<string, { mediaIndex: number; text: string }[]>();
      for (const transcript of transcripts) {
        if (typeof transcript?.text !== "string" || transcript.text.trim() === "") continue;
        if (transcript.text.length > transcriptLimits.maxTextLength) continue;
        const { mediaIndex } = transcript;
        if (!Number.isInteger(mediaIndex) || mediaIndex < 0) continue;
        if (mediaIndex > transcriptLimits.maxMediaIndex) continue;
        if (typeof transcript.messageSid !== "string" || transcript.messageSid === "") continue;
        const list = byMessage.get(transcript.messageSid) ?? [];
        list.push({ mediaIndex: transcript.mediaIndex, text: transcript.text });
        byMessage.set(transcript.messageSid, list);
      }
      for (const [messageSid, list] of byMessage)
        for (let start = 0; start < list.length; start += transcriptLimits.perCall)
          await mailbox.saveTranscripts(
            messageSid,
            list.slice(start, start + transcriptLimits.perCall),
          );
    },
    async contentSid(key) {
      return (await mailbox.getMeta(`content:${key}`)) ?? undefined;
    },
    async rememberContent(key, contentSid) {
      await mailbox.setMeta(`content:${key}`, contentSid);
    },
  };
}
