import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import {
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

// Node strips the TypeScript types itself; this hook only maps our `.js` import specifiers to
// the `.ts` files beside them, so the child runs the real source, not a build.
const hook = `export async function resolve(specifier, context, next) {
  try { return await next(specifier, context); } catch (error) {
    if (specifier.startsWith(".") && specifier.endsWith(".js"))
      return next(specifier.slice(0, -3) + ".ts", context);
    throw error;
  }
}`;

describeWithPostgres("postgresMailbox instance liveness", (connectionString) => {
  let schema: string;
  let folder: string;
  const stores: MailboxStore[] = [];

  beforeEach(async () => {
    schema = testSchemaName();
    folder = await mkdtemp(join(tmpdir(), "switchboard-liveness-"));
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await dropTestSchema(connectionString, schema);
    await rm(folder, { recursive: true, force: true });
  });

  it("refuses a liveness outside 300 to 600000 ms, naming the option", () => {
    for (const instanceLivenessMs of [0, 299, 600_001, 1.5])
      expect(() => postgresMailbox({ connectionString, schema, instanceLivenessMs })).toThrow(
        /instanceLivenessMs/,
      );
  });

  it("takes over the turn and send leases of a killed instance once its liveness lapses", async () => {
    const replied = fakeSid("CH");
    const waiting = fakeSid("CH");
    // The child takes a turn and a send with ten-minute leases, then dies holding both.
    const child = join(folder, "instance.mjs");
    const source = fileURLToPath(new URL("./postgres-mailbox.ts", import.meta.url));
    await writeFile(
      child,
      `import { writeSync } from "node:fs";
      import { register } from "node:module";
      register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hook)}));
      const { postgresMailbox } = await import(${JSON.stringify(source)});
      const store = postgresMailbox({ connectionString: process.argv[2], schema: process.argv[3],
        settleWindowMs: 0, instanceLivenessMs: 600 });
      await store.ingest(${JSON.stringify(inboundMessage({ conversationSid: replied }))});
      const [done] = await store.claim("worker-a", 1, 600_000);
      await store.complete(done, [${JSON.stringify(textReply("hello"))}]);
      await store.ingest(${JSON.stringify(inboundMessage({ conversationSid: waiting }))});
      const [held] = await store.claim("worker-a", 1, 600_000);
      const [sending] = await store.claimOutbox("sender-a", 1, 600_000);
      if (held === undefined || sending === undefined) throw new Error("nothing claimed");
      writeSync(1, "ready\\n");
      setInterval(() => {}, 60_000);
      `,
    );
    // Transform, not strip: the store uses parameter properties.
    const running = spawn(
      process.execPath,
      ["--experimental-transform-types", "--no-warnings", child, connectionString, schema],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let errors = "";
    running.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      running.on("exit", (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      running.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("ready")) resolve();
      });
      void exited.then(() => reject(new Error(`the instance exited: ${errors}`)));
    });

    const survivor = postgresMailbox({
      connectionString,
      schema,
      settleWindowMs: 0,
      instanceLivenessMs: 600,
    });
    stores.push(survivor);
    // While the child lives, its leases hold.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await survivor.claim("worker-b", 5, 10_000)).toEqual([]);
    expect(await survivor.claimOutbox("sender-b", 5, 10_000)).toEqual([]);

    running.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    const killedAt = Date.now();
    let turns: Awaited<ReturnType<MailboxStore["claim"]>> = [];
    while (turns.length === 0 && Date.now() - killedAt < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      turns = await survivor.claim("worker-b", 5, 10_000);
    }
    // Taken over after the liveness lapsed, long before the ten-minute lease.
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(turns).toMatchObject([{ conversationSid: waiting, workerId: "worker-b", attempt: 2 }]);
    const [send] = await survivor.claimOutbox("sender-b", 5, 10_000);
    expect(send).toMatchObject({ conversationSid: replied, attempt: 2, mustReconcile: true });
    // The dead instance's row is gone; the survivor's is kept alive.
    const { rows } = await adminQuery(
      connectionString,
      `SELECT count(*)::integer AS alive FROM "${schema}".instances`,
    );
    expect(rows[0]).toEqual({ alive: 1 });
  });
});
