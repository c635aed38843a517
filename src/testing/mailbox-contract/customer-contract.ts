import { describe, expect, it } from "vitest";
import type { CustomerAddress } from "../../mailbox/mailbox-customers.js";
import { LeaseLostError, MailboxInputError } from "../../mailbox/mailbox-errors.js";
import type { UseContract } from "./contract-context.js";
import { answerOnce, fakeSid, inboundMessage } from "./contract-fixtures.js";

const sms = (value: string): CustomerAddress => ({ kind: "sms", value });
const whatsapp = (value: string): CustomerAddress => ({ kind: "whatsapp", value });
const chat = (value: string): CustomerAddress => ({ kind: "chat", value });

/** The mailbox contract: customers above conversations (see `MailboxCustomers`). */
export function describeCustomerContract(use: UseContract): void {
  describe("customers", () => {
    it("makes one customer per address on first contact, the same one every time", async () => {
      const { store, clock } = use();
      const first = await store.ensureCustomer(sms("+15550001111"));
      expect(first.customerId).toMatch(/^cu_[0-9a-f]{32}$/);
      expect(first).toMatchObject({
        createdAt: clock.now(),
        handoff: null,
        addresses: [
          { kind: "sms", value: "+15550001111", source: "first-contact", linkedAt: clock.now() },
        ],
      });
      const [again, concurrent] = await Promise.all([
        store.ensureCustomer(sms("+15550001111")),
        store.ensureCustomer(sms("+15550001111"), "operator"),
      ]);
      expect(again.customerId).toBe(first.customerId);
      expect(concurrent.customerId).toBe(first.customerId);
      // The same number on another kind is another address, hence another customer.
      const other = await store.ensureCustomer(whatsapp("whatsapp:+15550001111"));
      expect(other.customerId).not.toBe(first.customerId);
      expect((await store.customerByAddress(sms("+15550001111")))?.customerId).toBe(
        first.customerId,
      );
      expect(await store.customerByAddress(sms("+15559999999"))).toBeNull();
    });

    it("creates one customer when many first contacts of one address race", async () => {
      const { store } = use();
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.ensureCustomer(chat("visitor-race"))),
      );
      expect(new Set(results.map((customer) => customer.customerId)).size).toBe(1);
      expect((await store.listCustomers()).length).toBe(1);
    });

    it("links an address to one customer only, and unlinks it", async () => {
      const { store } = use();
      const alice = await store.ensureCustomer(chat("visitor-a"));
      const bob = await store.ensureCustomer(sms("+15550002222"));
      const linked = await store.linkAddress(alice.customerId, sms("+15550003333"), "verified");
      expect(linked.linked).toBe(true);
      if (!linked.linked) throw new Error("not linked");
      expect(linked.customer.addresses.map((address) => address.value)).toEqual([
        "visitor-a",
        "+15550003333",
      ]);
      expect(linked.customer.addresses[1]?.source).toBe("verified");
      // Linking again is a no-op; linking Bob's number to Alice is refused, nothing changes.
      expect(
        (await store.linkAddress(alice.customerId, sms("+15550003333"), "application")).linked,
      ).toBe(true);
      expect(await store.linkAddress(alice.customerId, sms("+15550002222"), "application")).toEqual(
        {
          linked: false,
          reason: "other-customer",
          ownerId: bob.customerId,
        },
      );
      expect((await store.customerByAddress(sms("+15550002222")))?.customerId).toBe(bob.customerId);
      expect(
        await store.linkAddress(`cu_${"0".repeat(32)}`, sms("+15550004444"), "application"),
      ).toEqual({ linked: false, reason: "unknown-customer" });
      expect(await store.customerByAddress(sms("+15550004444"))).toBeNull();

      expect(await store.unlinkAddress(sms("+15550003333"))).toBe(true);
      expect(await store.unlinkAddress(sms("+15550003333"))).toBe(false);
      expect(await store.customerByAddress(sms("+15550003333"))).toBeNull();
      // The customer stays, even with no address left.
      expect(await store.unlinkAddress(chat("visitor-a"))).toBe(true);
      expect((await store.customer(alice.customerId))?.addresses).toEqual([]);
    });

    it("merges two customers: addresses move, the merged id is gone for good", async () => {
      const { store, harness } = use();
      const phone = await store.ensureCustomer(sms("+15550005555"));
      const web = await store.ensureCustomer(chat("visitor-m"));
      await store.linkAddress(web.customerId, { kind: "app", value: "user-42" }, "application");
      await store.setCustomerHandoff(web.customerId, { conversationSid: "CH-web" });
      const merged = await store.mergeCustomers(phone.customerId, web.customerId);
      expect(merged?.customerId).toBe(phone.customerId);
      expect(merged?.addresses.map((address) => address.value).sort()).toEqual(
        ["+15550005555", "user-42", "visitor-m"].sort(),
      );
      // The merged-in customer's holder carries over when the target had none.
      expect(merged?.handoff?.conversationSid).toBe("CH-web");
      const reopened = await harness.reopen();
      expect(await reopened.customer(web.customerId)).toBeNull();
      expect((await reopened.customerByAddress(chat("visitor-m")))?.customerId).toBe(
        phone.customerId,
      );
      expect(await reopened.mergeCustomers(phone.customerId, web.customerId)).toBeNull();
      expect(
        (await reopened.mergeCustomers(phone.customerId, phone.customerId))?.addresses,
      ).toHaveLength(3);
    });

    it("finds the customer of a conversation by its channel and address", async () => {
      const { store } = use();
      const smsSid = fakeSid("CH");
      const waSid = fakeSid("CH");
      await store.ingest(
        inboundMessage({ conversationSid: smsSid, customerAddress: "+15550006666" }),
      );
      await store.ingest(
        inboundMessage({
          conversationSid: waSid,
          channel: "whatsapp",
          source: "WHATSAPP",
          author: "whatsapp:+15550006666",
          customerAddress: "whatsapp:+15550006666",
        }),
      );
      expect(await store.customerOfConversation(smsSid)).toBeNull();
      const customer = await store.ensureCustomer(sms("+15550006666"));
      expect((await store.customerOfConversation(smsSid))?.customerId).toBe(customer.customerId);
      expect(await store.customerOfConversation(waSid)).toBeNull();
      await store.linkAddress(
        customer.customerId,
        whatsapp("whatsapp:+15550006666"),
        "same-number",
      );
      expect((await store.customerOfConversation(waSid))?.customerId).toBe(customer.customerId);
      const conversations = await store.customerConversations(customer.customerId);
      expect(conversations.map((record) => record.conversationSid).sort()).toEqual(
        [smsSid, waSid].sort(),
      );
      expect(await store.customerOfConversation(fakeSid("CH"))).toBeNull();
      // An `app` address never matches a conversation, whatever its value.
      const appOnly = await store.ensureCustomer({ kind: "app", value: "+15550006666" });
      expect(await store.customerConversations(appOnly.customerId)).toEqual([]);
    });

    it("reads the recent messages of every channel, bounded, labelled and in time order", async () => {
      const { store, clock } = use();
      const smsSid = fakeSid("CH");
      const chatSid = fakeSid("CH");
      const start = clock.now();
      await store.ingest(
        inboundMessage({
          conversationSid: chatSid,
          channel: "chat",
          source: "SDK",
          author: "visitor-h",
          customerAddress: "visitor-h",
          body: "is the e-bike free on Saturday?",
          dateCreated: start + 1_000,
        }),
      );
      clock.advance(1_000);
      await answerOnce(store);
      await store.ingest(
        inboundMessage({
          conversationSid: smsSid,
          customerAddress: "+15550007777",
          body: "still free?",
          dateCreated: start + 60_000,
        }),
      );
      const customer = await store.ensureCustomer(chat("visitor-h"));
      await store.linkAddress(customer.customerId, sms("+15550007777"), "verified");
      const all = await store.customerHistory(customer.customerId);
      expect(all.map((line) => [line.channel, line.entry.body])).toEqual([
        ["chat", "is the e-bike free on Saturday?"],
        ["chat", "answer to 0"],
        ["sms", "still free?"],
      ]);
      expect(all[0]).toMatchObject({ conversationSid: chatSid, at: start + 1_000 });
      expect(all[1]?.entry.direction).toBe("outbound");
      const elsewhere = await store.customerHistory(customer.customerId, {
        exceptConversationSid: smsSid,
      });
      expect(elsewhere.every((line) => line.conversationSid === chatSid)).toBe(true);
      const last = await store.customerHistory(customer.customerId, { limit: 1 });
      expect(last.map((line) => line.entry.body)).toEqual(["still free?"]);
      expect(await store.customerHistory(`cu_${"1".repeat(32)}`)).toEqual([]);
    });

    it("holds the customer for a person and lets go", async () => {
      const { store, clock } = use();
      const customer = await store.ensureCustomer(chat("visitor-hold"));
      expect(await store.setCustomerHandoff(customer.customerId, { conversationSid: "CH-1" })).toBe(
        true,
      );
      expect((await store.customer(customer.customerId))?.handoff).toEqual({
        conversationSid: "CH-1",
        since: clock.now(),
      });
      expect(await store.setCustomerHandoff(customer.customerId, null)).toBe(true);
      expect((await store.customer(customer.customerId))?.handoff).toBeNull();
      expect(await store.setCustomerHandoff(`cu_${"2".repeat(32)}`, null)).toBe(false);
    });

    it("lists customers by latest activity and searches their addresses", async () => {
      const { store, clock } = use();
      const older = await store.ensureCustomer(sms("+15550008888"));
      clock.advance(1_000);
      const newer = await store.ensureCustomer(chat("Visitor_Search%"));
      const listed = await store.listCustomers();
      expect(listed.map((row) => row.customerId)).toEqual([newer.customerId, older.customerId]);
      expect(listed[0]?.lastActivityAt).toBe(clock.now());
      expect(
        (await store.listCustomers({ search: "0008888" })).map((row) => row.customerId),
      ).toEqual([older.customerId]);
      // Case-insensitive, and LIKE's wildcards are matched literally.
      expect((await store.listCustomers({ search: "visitor_search%" })).length).toBe(1);
      expect((await store.listCustomers({ search: "%" })).length).toBe(1);
      expect((await store.listCustomers({ search: older.customerId })).length).toBe(1);
      expect(await store.listCustomers({ limit: 1 })).toHaveLength(1);
      expect((await store.listCustomers({ search: "   " })).length).toBe(2);
    });

    it("lists by each customer's latest conversation, reading only recent conversations", async () => {
      const { store, clock } = use();
      const base = clock.now();
      const customer = async (address: CustomerAddress) =>
        (await store.ensureCustomer(address)).customerId;
      const [e, a, b] = [
        await customer(sms("+15550000005")),
        await customer(sms("+15550000001")),
        await customer(sms("+15550000002")),
      ];
      // One new conversation per call, its customer's message at `at` after the start.
      const converse = (address: string, at: number) =>
        store.ingest(
          inboundMessage({
            conversationSid: fakeSid("CH"),
            customerAddress: address,
            author: address,
            dateCreated: base + at,
          }),
        );
      await converse("+15550000001", 10_000);
      await converse("+15550000001", 50_000);
      await converse("+15550000002", 30_000);
      // No customer owns this address: its conversation lists nobody.
      await converse("+15550000099", 45_000);
      // More recent conversations of one customer than the first window of a two-row page.
      for (let n = 0; n < 9; n++) await converse("+15550000005", 60_000 + n * 1_000);
      clock.advance(40_000);
      // Without a conversation: placed by its creation.
      const c = await customer(chat("visitor-quiet"));
      const listed = await store.listCustomers();
      expect(listed.map((row) => [row.customerId, row.lastActivityAt])).toEqual([
        [e, base + 68_000],
        [a, base + 50_000],
        [c, base + 40_000],
        [b, base + 30_000],
      ]);
      expect(listed[1]?.addresses.map((address) => address.value)).toEqual(["+15550000001"]);
      expect((await store.listCustomers({ limit: 2 })).map((row) => row.customerId)).toEqual([
        e,
        a,
      ]);
      expect((await store.listCustomers({ limit: 3 })).map((row) => row.customerId)).toEqual([
        e,
        a,
        c,
      ]);
    });

    it("deletes a customer with its conversations, history and consent in one call", async () => {
      const { store, harness } = use();
      const smsSid = fakeSid("CH");
      const keptSid = fakeSid("CH");
      const voiceNote = inboundMessage({
        conversationSid: smsSid,
        customerAddress: "+15550009999",
      });
      await store.ingest(voiceNote);
      await store.saveTranscripts(voiceNote.messageSid, [{ mediaIndex: 0, text: "a voice note" }]);
      await store.recordInboundDeadLetter({
        conversationSid: smsSid,
        messageSid: fakeSid("IM"),
        author: "+1555•••9999",
        field: "body",
        reason: "body: too long",
        bodyLength: 2000,
      });
      await store.ingest(
        inboundMessage({
          conversationSid: keptSid,
          customerAddress: "+15550001010",
          author: "+15550001010",
        }),
      );
      await answerOnce(store);
      await store.noteHandoff(smsSid, { reason: "asked", source: "agent", summary: "s" });
      await store.setConsent({ address: "+15550009999", state: "opted-out", reason: "keyword" });
      await store.setConsent({
        address: "whatsapp:+15550009999",
        state: "opted-out",
        reason: "keyword",
      });
      await store.setConsent({ address: "+15550001010", state: "opted-out", reason: "keyword" });
      const customer = await store.ensureCustomer(sms("+15550009999"));
      await store.linkAddress(
        customer.customerId,
        whatsapp("whatsapp:+15550009999"),
        "same-number",
      );
      const other = await store.ensureCustomer(sms("+15550001010"));

      const deleted = await store.deleteCustomer(customer.customerId);
      expect(deleted).toEqual({
        customerId: customer.customerId,
        addresses: 2,
        conversations: 1,
        messages: 2,
        consent: 2,
      });
      const reopened = await harness.reopen();
      expect(await reopened.customer(customer.customerId)).toBeNull();
      expect(await reopened.customerByAddress(sms("+15550009999"))).toBeNull();
      expect(await reopened.conversation(smsSid)).toBeNull();
      expect(await reopened.history(smsSid)).toEqual([]);
      expect(await reopened.handoffNote(smsSid)).toBeNull();
      expect(await reopened.transcripts(voiceNote.messageSid)).toEqual([]);
      expect(await reopened.inboundDeadLetters()).toEqual([]);
      expect(await reopened.consent("+15550009999")).toBeNull();
      expect(await reopened.consent("whatsapp:+15550009999")).toBeNull();
      expect(await reopened.deleteCustomer(customer.customerId)).toBeNull();
      // Another customer's conversation and consent are untouched.
      expect(await reopened.history(keptSid)).toHaveLength(2);
      expect((await reopened.consent("+15550001010"))?.state).toBe("opted-out");
      expect((await reopened.customer(other.customerId))?.addresses).toHaveLength(1);
      expect(await reopened.knownConversations()).toEqual([keptSid]);
    });

    it("fences out a turn running in a deleted customer's conversation", async () => {
      const { store } = use();
      const sid = fakeSid("CH");
      await store.ingest(inboundMessage({ conversationSid: sid, customerAddress: "+15550001212" }));
      const [lease] = await store.claim("worker-a", 1, 30_000);
      const customer = await store.ensureCustomer(sms("+15550001212"));
      await store.deleteCustomer(customer.customerId);
      await expect(store.complete(lease!, [{ body: "late" }])).rejects.toBeInstanceOf(
        LeaseLostError,
      );
      expect(await store.history(sid)).toEqual([]);
    });

    it("refuses malformed, forged and oversized input and writes nothing", async () => {
      const { store } = use();
      const bad: unknown[] = [
        null,
        { kind: "fax", value: "+1555" },
        { kind: "sms", value: "" },
        { kind: "sms", value: 15550001 },
        { kind: "chat", value: "x".repeat(257) },
        { kind: "chat", value: "a\u0000b" },
        { kind: "chat", value: "\uD800" },
      ];
      for (const address of bad)
        await expect(store.ensureCustomer(address as CustomerAddress)).rejects.toBeInstanceOf(
          MailboxInputError,
        );
      await expect(
        store.ensureCustomer(chat("ok"), "guessed" as "verified"),
      ).rejects.toBeInstanceOf(MailboxInputError);
      for (const id of ["", "cu_123", `CU_${"0".repeat(32)}`, `cu_${"0".repeat(32)}'--`, 7])
        await expect(store.customer(id as string)).rejects.toBeInstanceOf(MailboxInputError);
      await expect(
        store.customerHistory(`cu_${"0".repeat(32)}`, { limit: 201 }),
      ).rejects.toBeInstanceOf(MailboxInputError);
      await expect(store.listCustomers({ limit: 0 })).rejects.toBeInstanceOf(MailboxInputError);
      await expect(store.listCustomers({ search: "x".repeat(101) })).rejects.toBeInstanceOf(
        MailboxInputError,
      );
      await expect(
        store.setCustomerHandoff(`cu_${"0".repeat(32)}`, { conversationSid: "" }),
      ).rejects.toBeInstanceOf(MailboxInputError);
      await expect(store.customerOfConversation("x".repeat(65))).rejects.toBeInstanceOf(
        MailboxInputError,
      );
      expect(await store.listCustomers()).toEqual([]);
    });
  });
}
