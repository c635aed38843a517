// node bench/mailbox-memory.mjs [sqlite] — memory per idle conversation of the SQLite mailbox
// alone (no HTTP, no provider, no runtime caches), after `npm run build`. Fills conversations
// of one customer message each (500 ingests at a time, the writer thread on, as in service)
// and, at each size, prints RSS, the V8 heap (used and committed) after two full GCs, and the
// RSS each conversation added since the previous size: the figure that says whether memory
// grows with conversations or only fills caches that stop growing. Run with --expose-gc.
// BENCH_MEMORY_SIZES (default 10000,20000,40000,80000,160000).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteMailbox } from "../dist/mailbox/index.js";
import { inboundMessage } from "./inbound-message.mjs";

if (typeof global.gc !== "function") throw new Error("run with node --expose-gc");
const sizes = (process.env.BENCH_MEMORY_SIZES ?? "10000,20000,40000,80000,160000")
  .split(",")
  .map(Number);
const folder = mkdtempSync(join(tmpdir(), "switchboard-memory-"));
const mailbox = sqliteMailbox({ path: join(folder, "mailbox.db") });

const measure = () => {
  global.gc();
  global.gc();
  const { rss, heapUsed, heapTotal } = process.memoryUsage();
  return { rss, heapUsed, heapTotal };
};

let filled = 0;
let previous;
console.log(
  "conversations  RSS MiB  heap used MiB  heap committed MiB  RSS B per added conversation",
);
try {
  for (const size of sizes) {
    while (filled < size) {
      const batch = Math.min(500, size - filled);
      await Promise.all(
        Array.from({ length: batch }, (_, i) =>
          mailbox.ingest(inboundMessage(filled + i, 0, { proxyAddress: "+15017250604" })),
        ),
      );
      filled += batch;
    }
    const memory = measure();
    const added =
      previous === undefined
        ? "-"
        : String(Math.round((memory.rss - previous.rss) / (size - previous.size)));
    console.log(
      `${String(size).padStart(13)} ${(memory.rss / 2 ** 20).toFixed(1).padStart(8)} ${(memory.heapUsed / 2 ** 20).toFixed(1).padStart(14)} ${(memory.heapTotal / 2 ** 20).toFixed(1).padStart(19)} ${added.padStart(29)}`,
    );
    previous = { rss: memory.rss, size };
  }
} finally {
  await mailbox.close();
  rmSync(folder, { recursive: true, force: true });
}
