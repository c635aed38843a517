import { describe, expect, it } from "vitest";
import { transcriptLimits } from "../../mailbox/mailbox-store.js";
import { contractSettings, type UseContract } from "./contract-context.js";
import { answerOnce, fakeSid, inboundMessage } from "./contract-fixtures.js";

const { day } = contractSettings;

/**
 * The mailbox contract for voice-note transcripts: stored per message and media position,
 * replaced in place, kept across reopen, refused when malformed or oversized, and removed by
 * garbage collection together with their message — never before it, never after it.
 */
export function describeTranscriptContract(use: UseContract): void {
  describe("voice-note transcripts follow their message", () => {
    it("stores transcripts by position, replaces them in place and keeps them across reopen", async () => {
      const { store, harness } = use();
      const voice = inboundMessage({ conversationSid: fakeSid("CH"), messageSid: fakeSid("IM") });
      await store.ingest(voice);
      expect(await store.transcripts(voice.messageSid)).toEqual([]);
      expect(
        await store.saveTranscripts(voice.messageSid, [
          { mediaIndex: 1, text: "and a second one" },
          { mediaIndex: 0, text: "Is the ‘Trek’ frame 🚲 in stock?" },
        ]),
      ).toBe(2);
      // A re-run turn writes the same position again: replaced, not duplicated.
      await store.saveTranscripts(voice.messageSid, [{ mediaIndex: 1, text: "a second note" }]);
      const reopened = await harness.reopen();
      expect(await reopened.transcripts(voice.messageSid)).toEqual([
        { mediaIndex: 0, text: "Is the ‘Trek’ frame 🚲 in stock?" },
        { mediaIndex: 1, text: "a second note" },
      ]);
      expect(await reopened.saveTranscripts(voice.messageSid, [])).toBe(0);
    });

    it("stores nothing for a message the mailbox does not hold", async () => {
      const { store } = use();
      const stranger = fakeSid("IM");
      expect(await store.saveTranscripts(stranger, [{ mediaIndex: 0, text: "hello" }])).toBe(0);
      expect(await store.transcripts(stranger)).toEqual([]);
    });

    it("refuses malformed and oversized transcripts, storing none of the call", async () => {
      const { store } = use();
      const voice = inboundMessage({ messageSid: fakeSid("IM") });
      await store.ingest(voice);
      const tooMany = Array.from({ length: transcriptLimits.perCall + 1 }, (_, mediaIndex) => ({
        mediaIndex,
        text: "x",
      }));
      const bad: unknown[][] = [
        [voice.messageSid, [{ mediaIndex: -1, text: "x" }]],
        [voice.messageSid, [{ mediaIndex: 0.5, text: "x" }]],
        [voice.messageSid, [{ mediaIndex: transcriptLimits.maxMediaIndex + 1, text: "x" }]],
        [voice.messageSid, [{ mediaIndex: 0, text: "" }]],
        [voice.messageSid, [{ mediaIndex: 0, text: 42 }]],
        [
          voice.messageSid,
          [{ mediaIndex: 0, text: "x".repeat(transcriptLimits.maxTextLength + 1) }],
        ],
        [voice.messageSid, [{ mediaIndex: 0, text: "ok" }, null]],
        [voice.messageSid, tooMany],
        [voice.messageSid, "not a list"],
        ["", [{ mediaIndex: 0, text: "x" }]],
        ["IM".padEnd(200, "0"), [{ mediaIndex: 0, text: "x" }]],
      ];
      for (const [messageSid, transcripts] of bad)
        await expect(
          store.saveTranscripts(messageSid as string, transcripts as never),
        ).rejects.toMatchObject({ code: "invalid_mailbox_input" });
      await expect(store.transcripts(42 as unknown as string)).rejects.toMatchObject({
        code: "invalid_mailbox_input",
      });
      expect(await store.transcripts(voice.messageSid)).toEqual([]);
    });

    it("garbage collection removes transcripts with their message and keeps the others", async () => {
      const { store, clock } = use();
      const conversationSid = fakeSid("CH");
      const old = inboundMessage({ conversationSid, index: 0, messageSid: fakeSid("IM") });
      await store.ingest(old);
      await answerOnce(store);
      await store.saveTranscripts(old.messageSid, [{ mediaIndex: 0, text: "old note" }]);
      clock.advance(2 * day);
      const recent = inboundMessage({ conversationSid, index: 2, messageSid: fakeSid("IM") });
      await store.ingest(recent);
      await store.saveTranscripts(recent.messageSid, [{ mediaIndex: 0, text: "new note" }]);

      // The recent message is still pending: it and its transcript stay.
      const removed = await store.collectGarbage({ olderThanMs: day });
      expect(removed).toMatchObject({ messages: 1, transcripts: 1 });
      expect(await store.transcripts(old.messageSid)).toEqual([]);
      expect(await store.transcripts(recent.messageSid)).toEqual([
        { mediaIndex: 0, text: "new note" },
      ]);
      expect((await store.history(conversationSid)).map((entry) => entry.body)).toContain(
        "message 2",
      );
      // Gone with its message, a transcript cannot come back through a late save either.
      expect(await store.saveTranscripts(old.messageSid, [{ mediaIndex: 0, text: "late" }])).toBe(
        0,
      );
      expect((await store.collectGarbage({ olderThanMs: day })).transcripts).toBe(0);
    });
  });
}
