import { describe, expect, it } from "vitest";
import { composeTurnContext } from "../../mailbox/compose-turn-context.js";
import { MailboxInputError } from "../../mailbox/mailbox-errors.js";
import type { MailboxStore, TurnContext, TurnContextOptions } from "../../mailbox/mailbox-store.js";
import type { UseContract } from "./contract-context.js";
import { answerOnce, fakeSid, inboundMessage } from "./contract-fixtures.js";

/** The store's `turnContext`, or the composed reads when it has none (it is optional). */
const turnContextOf =
  (store: MailboxStore) =>
  (conversationSid: string, options: TurnContextOptions): Promise<TurnContext> =>
    store.turnContext !== undefined
      ? store.turnContext(conversationSid, options)
      : composeTurnContext(store, conversationSid, options);

/** What the separate reads answer for the same options. */
async function separately(
  store: MailboxStore,
  conversationSid: string,
  options: Required<TurnContextOptions>,
): Promise<TurnContext> {
  const customer = await store.customerOfConversation(conversationSid);
  const consent = [];
  for (const address of options.consentAddresses) {
    const record = await store.consent(address);
    if (record !== null) consent.push(record);
  }
  return {
    history: await store.history(conversationSid, { limit: options.historyLimit }),
    customer,
    customerHistory:
      customer === null || options.customerHistoryLimit === 0
        ? []
        : await store.customerHistory(customer.customerId, {
            limit: options.customerHistoryLimit,
            exceptConversationSid: conversationSid,
          }),
    handoffNote: await store.handoffNote(conversationSid),
    consent,
  };
}

/** The mailbox contract: a turn's reads in one call (`turnContext`). */
export function describeTurnContextContract(use: UseContract): void {
  describe("turn context", () => {
    it("answers what history, customer, customer history, handoff note and consent answer", async () => {
      const { store, clock } = use();
      const read = turnContextOf(store);
      const smsSid = fakeSid("CH");
      const waSid = fakeSid("CH");
      const chatSid = fakeSid("CH");
      const start = clock.now();
      // Three conversations of one person, each with messages and answers, at distinct times.
      for (let index = 0; index < 3; index++) {
        await store.ingest(
          inboundMessage({
            conversationSid: smsSid,
            index: index * 2,
            customerAddress: "+15550101010",
            author: "+15550101010",
            body: `sms ${index}`,
            dateCreated: start + index * 10_000,
          }),
        );
        await store.ingest(
          inboundMessage({
            conversationSid: waSid,
            index: index * 2,
            channel: "whatsapp",
            source: "WHATSAPP",
            author: "whatsapp:+15550101010",
            customerAddress: "whatsapp:+15550101010",
            body: `wa ${index}`,
            dateCreated: start + index * 10_000 + 1_000,
          }),
        );
        clock.advance(2_000);
        await answerOnce(store);
      }
      await store.ingest(
        inboundMessage({
          conversationSid: chatSid,
          channel: "chat",
          source: "SDK",
          author: "visitor-tc",
          customerAddress: "visitor-tc",
          body: "from the web",
          dateCreated: start + 50_000,
        }),
      );
      await store.ingest(
        inboundMessage({
          conversationSid: smsSid,
          index: 6,
          customerAddress: "+15550101010",
          author: "+15550101010",
          body: "the turn's own message",
          dateCreated: start + 60_000,
        }),
      );
      const options = {
        historyLimit: 4,
        customerHistoryLimit: 5,
        consentAddresses: ["+15550101010", "+15550202020", "whatsapp:+15550101010"],
      };
      // Before any customer, note or consent: empty parts.
      const bare = await read(smsSid, options);
      expect(bare).toEqual(await separately(store, smsSid, options));
      expect(bare.customer).toBeNull();
      expect(bare.customerHistory).toEqual([]);
      expect(bare.history).toHaveLength(4);

      const customer = await store.ensureCustomer({ kind: "sms", value: "+15550101010" });
      await store.linkAddress(
        customer.customerId,
        { kind: "whatsapp", value: "whatsapp:+15550101010" },
        "same-number",
      );
      await store.linkAddress(
        customer.customerId,
        { kind: "chat", value: "visitor-tc" },
        "verified",
      );
      await store.noteHandoff(smsSid, {
        reason: "asked",
        source: "agent",
        summary: "wants a person",
      });
      await store.noteHandoffReleased(smsSid, "operator");
      await store.setConsent({ address: "+15550101010", state: "opted-out", reason: "keyword" });
      await store.setConsent({
        address: "whatsapp:+15550101010",
        state: "opted-in",
        reason: "operator",
        detail: "asked at the desk",
      });

      const full = await read(smsSid, options);
      expect(full).toEqual(await separately(store, smsSid, options));
      expect(full.customer?.customerId).toBe(customer.customerId);
      expect(full.customer?.addresses).toHaveLength(3);
      // The other channels only, newest 5, in time order.
      expect(full.customerHistory).toHaveLength(5);
      expect(full.customerHistory.every((line) => line.conversationSid !== smsSid)).toBe(true);
      expect(new Set(full.customerHistory.map((line) => line.channel))).toEqual(
        new Set(["whatsapp", "chat"]),
      );
      expect(full.handoffNote).toMatchObject({ reason: "asked", releasedBy: "operator" });
      expect(full.consent.map((record) => record.address).sort()).toEqual([
        "+15550101010",
        "whatsapp:+15550101010",
      ]);
      // From another of the customer's conversations; without memory or addresses.
      expect(await read(waSid, options)).toEqual(await separately(store, waSid, options));
      const lean = { historyLimit: 50, customerHistoryLimit: 0, consentAddresses: [] };
      const withoutMemory = await read(chatSid, lean);
      expect(withoutMemory).toEqual(await separately(store, chatSid, lean));
      expect(withoutMemory.customerHistory).toEqual([]);
      expect(withoutMemory.consent).toEqual([]);
      // An unknown conversation: empty, not an error.
      const unknown = fakeSid("CH");
      expect(await read(unknown, options)).toEqual({
        history: [],
        customer: null,
        customerHistory: [],
        handoffNote: null,
        consent: [...(await separately(store, unknown, options)).consent],
      });
    });

    it("answers each of several reads asked at once as if alone", async () => {
      const { store } = use();
      const read = turnContextOf(store);
      const sids = [fakeSid("CH"), fakeSid("CH"), fakeSid("CH")];
      for (const [position, conversationSid] of sids.entries()) {
        const address = `+1555040400${position}`;
        for (let index = 0; index <= position; index++)
          await store.ingest(
            inboundMessage({ conversationSid, index, customerAddress: address, author: address }),
          );
        await store.ensureCustomer({ kind: "sms", value: address });
      }
      await store.setConsent({ address: "+15550404001", state: "opted-out", reason: "keyword" });
      await store.noteHandoff(sids[2]!, { reason: "asked", source: "agent", summary: "s" });
      const asks = [
        [
          sids[0]!,
          { historyLimit: 10, customerHistoryLimit: 3, consentAddresses: ["+15550404000"] },
        ],
        [sids[1]!, { historyLimit: 1, consentAddresses: ["+15550404001", "+15550404001"] }],
        [sids[2]!, { historyLimit: 50, customerHistoryLimit: 200 }],
        [fakeSid("CH"), { historyLimit: 5 }],
      ] as const;
      const together = await Promise.all(asks.map(([sid, options]) => read(sid, options)));
      for (const [position, [sid, options]] of asks.entries())
        expect(together[position], sid).toEqual(await read(sid, options));
      expect(together[1]?.history).toHaveLength(1);
      expect(together[1]?.consent.map((record) => record.state)).toEqual(["opted-out"]);
      expect(together[2]?.handoffNote?.reason).toBe("asked");
      // Conversation rows and customers by address asked at once answer as alone too.
      const unknownSid = fakeSid("CH");
      const rows = await Promise.all(
        [...sids, sids[0]!, unknownSid].map((sid) => store.conversation(sid)),
      );
      for (const [position, sid] of [...sids, sids[0]!, unknownSid].entries())
        expect(rows[position], sid).toEqual(await store.conversation(sid));
      expect(rows.map((row) => row?.lastIndex ?? null)).toEqual([0, 1, 2, 0, null]);
      const addresses = ["+15550404000", "+15550404002", "+15559999999", "+15550404000"];
      const owners = await Promise.all(
        addresses.map((value) => store.customerByAddress({ kind: "sms", value })),
      );
      for (const [position, value] of addresses.entries())
        expect(owners[position], value).toEqual(
          await store.customerByAddress({ kind: "sms", value }),
        );
      expect(owners[2]).toBeNull();
      expect(owners[0]?.customerId).toBe(owners[3]?.customerId);
    });

    it("refuses malformed options before reading", async () => {
      const { store } = use();
      const read = turnContextOf(store);
      const sid = fakeSid("CH");
      for (const options of [
        { historyLimit: 0 },
        { historyLimit: 501 },
        { historyLimit: 10, customerHistoryLimit: -1 },
        { historyLimit: 10, customerHistoryLimit: 201 },
        { historyLimit: 10, customerHistoryLimit: 1.5 },
        { historyLimit: 10, consentAddresses: [""] },
        { historyLimit: 10, consentAddresses: Array.from({ length: 101 }, (_, i) => `+1555${i}`) },
      ])
        await expect(
          read(sid, options),
          JSON.stringify(options).slice(0, 80),
        ).rejects.toBeInstanceOf(MailboxInputError);
      await expect(read("", { historyLimit: 10 })).rejects.toBeInstanceOf(MailboxInputError);
    });
  });
}
