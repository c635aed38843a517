// npm run bench:dead-letters — what a turn claim costs as dead letters pile up (an agent or
// model outage dead-letters conversations faster than operators retry them, and customers
// keep writing to them). For each store and size: a fresh mailbox (maxAttempts 1), that many
// conversations dead-lettered with a second message arriving after, one live conversation
// behind them, then the median of seven claims. The smallest size is the baseline of the same
// run. BENCH_DEAD_SIZES (default 100,10000); `--store sqlite|postgres|both` (default both);
// SWITCHBOARD_BENCH_DATABASE_URL, else SWITCHBOARD_TEST_DATABASE_URL, else the local server.
import { medianClaimMs, printBesideSmallest } from "./claim-cost.mjs";
import { inboundMessage } from "./inbound-message.mjs";

const sizes = (process.env.BENCH_DEAD_SIZES ?? "100,10000").split(",").map(Number);

async function fill(mailbox, dead) {
  for (const index of [0, 1]) {
    if (index === 1)
      for (;;) {
        const leases = await mailbox.claim("filler", 200, 30_000);
        if (leases.length === 0) break;
        await Promise.all(leases.map((lease) => mailbox.fail(lease, "model down", Date.now())));
      }
    for (let start = 0; start < dead; start += 256)
      await Promise.all(
        Array.from({ length: Math.min(256, dead - start) }, (_, n) =>
          mailbox.ingest(inboundMessage(start + n, index, { body: "hello?" })),
        ),
      );
  }
  await mailbox.ingest(inboundMessage(dead + 1));
  if ((await mailbox.stats()).deadLetters !== dead) throw new Error("the fill went wrong");
}

await printBesideSmallest(
  sizes,
  (dead) => `${String(dead).padStart(7)} dead letters`,
  (store, dead) =>
    medianClaimMs(
      store,
      { maxAttempts: 1, settleWindowMs: 0 },
      {
        fill: (mailbox) => fill(mailbox, dead),
        tables: ["messages", "conversations"],
        claim: async (mailbox) => {
          const leases = await mailbox.claim("probe", 10, 30_000);
          if (leases.length !== 1)
            throw new Error(`claimed ${leases.length}, expected the live one`);
          return () => mailbox.release(leases[0]);
        },
      },
    ),
);
