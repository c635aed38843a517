// npm run bench:outage — what a send claim costs while Twilio is down: every conversation's
// oldest reply waits for its retry with more replies queued behind it, and one conversation
// elsewhere can be answered. For each store and size: a fresh mailbox, that many
// conversations with three replies each, every head settled as a failed try to retry in an
// hour, then the median of seven claims (each takes the one reply that can go). The smallest
// size is the baseline of the same run. BENCH_OUTAGE_SIZES (default 100,3000);
// `--store sqlite|postgres|both` (default both); SWITCHBOARD_BENCH_DATABASE_URL, else
// SWITCHBOARD_TEST_DATABASE_URL, else the local server.
import { medianClaimMs, printBesideSmallest } from "./claim-cost.mjs";
import { inboundMessage } from "./inbound-message.mjs";

const sizes = (process.env.BENCH_OUTAGE_SIZES ?? "100,3000").split(",").map(Number);
const reply = (body) => ({ body });

async function fill(mailbox, conversations) {
  for (let start = 0; start < conversations; start += 256)
    await Promise.all(
      Array.from({ length: Math.min(256, conversations - start) }, (_, n) =>
        mailbox.ingest(inboundMessage(start + n)),
      ),
    );
  for (;;) {
    const leases = await mailbox.claim("worker", 200, 30_000);
    if (leases.length === 0) break;
    await Promise.all(
      leases.map((lease) => mailbox.complete(lease, [reply("a"), reply("b"), reply("c")])),
    );
  }
  for (;;) {
    const heads = await mailbox.claimOutbox("sender", 500, 30_000);
    if (heads.length === 0) break;
    await Promise.all(
      heads.map((head) =>
        mailbox.settleOutbox(head, { retryAt: Date.now() + 3_600_000, error: "Twilio 503" }),
      ),
    );
  }
  await mailbox.ingest(inboundMessage(conversations + 1));
  const [lease] = await mailbox.claim("worker", 1, 30_000);
  await mailbox.complete(lease, [reply("fresh")]);
}

await printBesideSmallest(
  sizes,
  (conversations) =>
    `${String(conversations).padStart(6)} conversations in backoff (${conversations * 3} open replies)`,
  (store, conversations) =>
    medianClaimMs(
      store,
      { settleWindowMs: 0 },
      {
        fill: (mailbox) => fill(mailbox, conversations),
        tables: ["outbox"],
        claim: async (mailbox) => {
          const items = await mailbox.claimOutbox("probe", 10, 30_000);
          if (items.length !== 1)
            throw new Error(`claimed ${items.length}, expected the fresh one`);
          return () => mailbox.settleOutbox(items[0], { retryAt: 0, error: "again" });
        },
      },
    ),
);
