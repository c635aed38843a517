import { afterEach, beforeEach, expect, it } from "vitest";
import {
  createManualClock,
  fakeSid,
  inboundMessage,
  textReply,
} from "../../testing/mailbox-contract/contract-fixtures.js";
import type { MailboxStore } from "../mailbox-store.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "./test-support/test-database.js";

/**
 * The liveness sweep and send attempts in flight: a lapsed instance's send whose request may
 * still land at Twilio stays leased until that request's deadline, so the taker looks for the
 * reply only once it can be there; a send it had only claimed is taken at once.
 */
describeWithPostgres("postgresMailbox: a lapsed instance's sends in flight", (connectionString) => {
  let schema: string;
  const stores: MailboxStore[] = [];

  beforeEach(() => {
    schema = testSchemaName();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await dropTestSchema(connectionString, schema);
  });

  it("takes a claimed-only send at once and one with a request in flight at its deadline", async () => {
    const clock = createManualClock(Date.now());
    const open = () => {
      // Ten minutes of liveness: this instance's own timer never renews it during the test.
      const store = postgresMailbox({
        connectionString,
        schema,
        settleWindowMs: 0,
        instanceLivenessMs: 600_000,
        now: clock.now,
      });
      stores.push(store);
      return store;
    };
    const lapsing = open();
    const [inFlight, claimedOnly] = [fakeSid("CH"), fakeSid("CH")];
    for (const conversationSid of [inFlight, claimedOnly]) {
      await lapsing.ingest(inboundMessage({ conversationSid }));
      const [lease] = await lapsing.claim("worker-a", 1, 600_000);
      await lapsing.complete(lease!, [textReply("hello")]);
    }
    const items = await lapsing.claimOutbox("sender-a", 2, 600_000);
    const sending = items.find((item) => item.conversationSid === inFlight)!;
    expect(await lapsing.startSendAttempt!(sending, clock.now() + 6_000)).toBe(true);

    // The instance stalls: its liveness row lapses (as if its timer had not run).
    await adminQuery(connectionString, `UPDATE "${schema}".instances SET alive_until = 0`);
    // Another instance opens; its first liveness tick releases what the lapsed one held.
    const taker = open();
    const first = await taker.claimOutbox("sender-b", 5, 10_000);
    expect(first.map((item) => item.conversationSid)).toEqual([claimedOnly]);
    // The stalled owner's late start is refused: its claim's lease was released.
    const stale = items.find((item) => item.conversationSid === claimedOnly)!;
    expect(await lapsing.startSendAttempt!(stale, clock.now() + 6_000)).toBe(false);

    clock.advance(5_999);
    expect(await taker.claimOutbox("sender-b", 5, 10_000)).toEqual([]);
    clock.advance(1);
    const later = await taker.claimOutbox("sender-b", 5, 10_000);
    expect(later).toMatchObject([{ conversationSid: inFlight, mustReconcile: true, attempt: 2 }]);
  });
});
