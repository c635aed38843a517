import { spawn } from "node:child_process";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inboundMessage } from "../testing/mailbox-contract/contract-fixtures.js";
import { describeMailboxContract } from "../testing/mailbox-contract.js";
import type { MailboxStore } from "./mailbox-store.js";
import { sqliteMailbox } from "./sqlite-mailbox.js";
import { sqliteMigrations } from "./sqlite-schema.js";

// The default: commits on the writer thread (the calling-thread writer keeps the same
// contract in sqlite-mailbox-calling-thread.test.ts).
describeMailboxContract("sqlite", async (options) => {
  const folder = await mkdtemp(join(tmpdir(), "switchboard-mailbox-"));
  const path = join(folder, "nested", "mailbox.db");
  let store = sqliteMailbox({ ...options, path });
  return {
    store,
    async reopen() {
      await store.close();
      store = sqliteMailbox({ ...options, path });
      return store;
    },
    async cleanup() {
      await store.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
});

describe("sqliteMailbox", () => {
  let folder: string;
  const opened: MailboxStore[] = [];
  const open = (path: string) => {
    const store = sqliteMailbox({ path });
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "switchboard-mailbox-"));
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(folder, { recursive: true, force: true });
  });

  it("uses WAL and records its schema version", async () => {
    const path = join(folder, "mailbox.db");
    await open(path).ingest(inboundMessage());
    const database = new Database(path, { readonly: true });
    try {
      expect(database.pragma("journal_mode", { simple: true })).toBe("wal");
      const versions = database.prepare("SELECT version FROM schema_version").all();
      expect(versions).toEqual(sqliteMigrations.map((_, position) => ({ version: position + 1 })));
    } finally {
      database.close();
    }
  });

  it("wakes nobody when a complete or a settle leaves nothing to claim", async () => {
    // Each needless notice costs a claim that finds nothing (the contract holds the
    // notices that are needed).
    const store = open(join(folder, "mailbox.db"));
    const conversationSid = "CH00000000000000000000000000000007";
    await store.ingest(inboundMessage({ conversationSid }));
    const [lease] = await store.claim("worker-a", 1, 30_000);
    const notices: string[] = [];
    store.onWork((notice) => notices.push(notice.kind));
    await store.complete(lease!, [{ body: "only reply" }]);
    expect(notices).toEqual(["outbox"]);
    const [item] = await store.claimOutbox("sender-a", 8, 30_000);
    await store.settleOutbox(item!, {
      sent: true,
      messageSid: "IM00000000000000000000000000000007",
    });
    expect(notices).toEqual(["outbox"]);
  });

  it("wakes again at the settle window's end only for a message with a gap below it", async () => {
    const store = sqliteMailbox({ path: join(folder, "mailbox.db"), settleWindowMs: 40 });
    opened.push(store);
    const notices: string[] = [];
    store.onWork((notice) => notices.push(`${notice.kind} ${notice.conversationSid.slice(-1)}`));
    const pause = () => new Promise((resolve) => setTimeout(resolve, 120));
    const conversationSid = "CH00000000000000000000000000000008";
    // Index 0, then 1: nothing below either is missing, so the window cannot hold them.
    await store.ingest(inboundMessage({ conversationSid, index: 0 }));
    await store.ingest(inboundMessage({ conversationSid, index: 1 }));
    await pause();
    expect(notices).toEqual(["turn 8", "turn 8"]);
    // Index 3 with 2 missing: claimable only once the window ends, which must wake a worker.
    await store.ingest(inboundMessage({ conversationSid, index: 3 }));
    expect(notices).toHaveLength(3);
    await pause();
    expect(notices).toEqual(["turn 8", "turn 8", "turn 8", "turn 8"]);
  });

  it("claims a due turn behind more not-yet-settled conversations than its first look reads", async () => {
    const store = sqliteMailbox({ path: join(folder, "mailbox.db"), settleWindowMs: 60_000 });
    opened.push(store);
    const sid = (n: number) => `CH${n.toString(16).padStart(32, "0")}`;
    // Older: 30 conversations whose index 0 is missing, so each waits out its settle window.
    for (let n = 1; n <= 30; n++)
      await store.ingest(inboundMessage({ conversationSid: sid(n), index: 1 }));
    const due = sid(99);
    await store.ingest(inboundMessage({ conversationSid: due, index: 0 }));
    const leases = await store.claim("worker-a", 1, 30_000);
    expect(leases.map((lease) => lease.conversationSid)).toEqual([due]);
    expect(await store.claim("worker-a", 5, 30_000)).toEqual([]);
  });

  it("reopens an existing file without applying migrations twice", async () => {
    const path = join(folder, "mailbox.db");
    const message = inboundMessage();
    const first = open(path);
    await first.ingest(message);
    await first.close();
    expect(await open(path).ingest(message)).toBe("duplicate");
    const database = new Database(path, { readonly: true });
    try {
      expect(database.prepare("SELECT count(*) AS n FROM schema_version").get()).toEqual({
        n: sqliteMigrations.length,
      });
    } finally {
      database.close();
    }
  });

  it("refuses a file written by a newer schema", async () => {
    const path = join(folder, "mailbox.db");
    const database = new Database(path);
    database.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    database.prepare("INSERT INTO schema_version VALUES (?)").run(sqliteMigrations.length + 1);
    database.close();
    expect(() => open(path)).toThrow(expect.objectContaining({ code: "mailbox_open_failed" }));
    expect(() => open(path)).toThrow(/newer than this switchboard understands/);
  });

  it("explains a path it cannot use", async () => {
    const file = join(folder, "plain-file");
    await writeFile(file, "not a folder");
    expect(() => open(join(file, "mailbox.db"))).toThrow(
      expect.objectContaining({ code: "mailbox_open_failed", location: join(file, "mailbox.db") }),
    );
    expect(() => open(join(file, "mailbox.db"))).toThrow(/cannot be created or is not writable/);
    expect(() => open(folder)).toThrow(/is a folder, not a file/);
    expect(() => open("")).toThrow(expect.objectContaining({ code: "mailbox_open_failed" }));
  });

  it("explains a file that is not a SQLite database", async () => {
    const path = join(folder, "garbage.db");
    await writeFile(path, "this is not sqlite ".repeat(100));
    expect(() => open(path)).toThrow(expect.objectContaining({ code: "mailbox_open_failed" }));
  });

  it("rejects options below the documented minimums, naming the option", () => {
    const path = join(folder, "mailbox.db");
    expect(() => sqliteMailbox({ path, dedupeRetentionMs: 1_000 })).toThrow(
      expect.objectContaining({ code: "invalid_config", option: "dedupeRetentionMs" }),
    );
    expect(() => sqliteMailbox({ path, maxAttempts: 0 })).toThrow(
      expect.objectContaining({ option: "maxAttempts" }),
    );
    expect(() => sqliteMailbox({ path, settleWindowMs: -1 })).toThrow(
      expect.objectContaining({ option: "settleWindowMs" }),
    );
    expect(() => sqliteMailbox({ path, groupCommitWindowMs: 5_000 })).toThrow(
      expect.objectContaining({ option: "groupCommitWindowMs" }),
    );
    expect(() => sqliteMailbox({ path, defaultPolicy: { mode: "burst", windowMs: -1 } })).toThrow(
      expect.objectContaining({ option: "defaultPolicy" }),
    );
  });

  it("answers customerByAddress from memory until a customer write, and never a stale record", async () => {
    const store = open(join(folder, "customers.db"));
    const sms = { kind: "sms" as const, value: "+15550001111" };
    const whatsapp = { kind: "whatsapp" as const, value: "whatsapp:+15550001111" };
    expect(await store.customerByAddress(sms)).toBeNull();
    const made = await store.ensureCustomer(sms, "first-contact");
    expect(await store.customerByAddress(sms)).toEqual(made);
    // A caller changing what it was given changes nothing remembered.
    const given = await store.customerByAddress(sms);
    given!.addresses.length = 0;
    expect((await store.customerByAddress(sms))?.addresses).toHaveLength(1);
    // Each customer write shows at once in the next read.
    await store.setCustomerHandoff(made.customerId, { conversationSid: "CH0001" });
    expect((await store.customerByAddress(sms))?.handoff?.conversationSid).toBe("CH0001");
    await store.linkAddress(made.customerId, whatsapp, "same-number");
    expect((await store.customerByAddress(sms))?.addresses.map((a) => a.kind).sort()).toEqual([
      "sms",
      "whatsapp",
    ]);
    await store.unlinkAddress(whatsapp);
    expect(await store.customerByAddress(whatsapp)).toBeNull();
    const other = await store.ensureCustomer(whatsapp, "first-contact");
    await store.mergeCustomers(made.customerId, other.customerId);
    expect((await store.customerByAddress(whatsapp))?.customerId).toBe(made.customerId);
    await store.deleteCustomer(made.customerId);
    expect(await store.customerByAddress(sms)).toBeNull();
    expect(await store.customerByAddress(whatsapp)).toBeNull();
  });

  it("answers consent from memory until a consent write, and never a stale state", async () => {
    const store = open(join(folder, "consent.db"));
    const address = "+15550002222";
    expect(await store.consent(address)).toBeNull();
    await store.setConsent({ address, state: "opted-out", reason: "keyword", detail: "STOP" });
    expect((await store.consent(address))?.state).toBe("opted-out");
    const given = await store.consent(address);
    given!.state = "opted-in";
    expect((await store.consent(address))?.state).toBe("opted-out");
    await store.setConsent({ address, state: "opted-in", reason: "keyword", detail: "START" });
    expect((await store.consent(address))?.state).toBe("opted-in");
    // Deleting the customer erases the consent of its addresses.
    const customer = await store.ensureCustomer({ kind: "sms", value: address }, "first-contact");
    await store.deleteCustomer(customer.customerId);
    expect(await store.consent(address)).toBeNull();
  });

  it("works with a group-commit window and in memory", async () => {
    const windowed = sqliteMailbox({ path: join(folder, "windowed.db"), groupCommitWindowMs: 5 });
    opened.push(windowed);
    const results = await Promise.all(
      [0, 1, 2].map((index) => windowed.ingest(inboundMessage({ index }))),
    );
    expect(results).toEqual(["accepted", "accepted", "accepted"]);
    const memory = open(":memory:");
    expect(await memory.ingest(inboundMessage())).toBe("accepted");
    expect(await memory.claim("worker-a", 1, 1_000)).toHaveLength(1);
  });

  // Node strips the TypeScript types itself; this hook only maps our `.js` import specifiers
  // to the `.ts` files beside them, so the child runs the real source, not a build.
  const hook = `export async function resolve(specifier, context, next) {
    try { return await next(specifier, context); } catch (error) {
      if (specifier.startsWith(".") && specifier.endsWith(".js"))
        return next(specifier.slice(0, -3) + ".ts", context);
      throw error;
    }
  }`;

  /**
   * Runs a child that ingests `messages` concurrently and prints each acknowledgement; the
   * child is killed with SIGKILL by the parent once the first line arrives (`parent`), or kills
   * itself synchronously inside the first acknowledgement, before the event loop turns again
   * (`self`: any write still pending at that instant is lost, so an early acknowledgement
   * would show). Returns the SIDs acknowledged before death.
   */
  const ingestThenKill = async (path: string, messages: unknown[], killer: "parent" | "self") => {
    const child = join(folder, "ingest-then-die.mjs");
    const source = fileURLToPath(new URL("./sqlite-mailbox.ts", import.meta.url));
    await writeFile(
      child,
      `import { writeSync } from "node:fs";
      import { register } from "node:module";
      register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hook)}));
      const { sqliteMailbox } = await import(${JSON.stringify(source)});
      const store = sqliteMailbox({ path: process.argv[2] });
      const self = process.argv[4] === "self";
      for (const message of JSON.parse(process.argv[3]))
        store.ingest(message).then((result) => {
          writeSync(1, result + " " + message.messageSid + "\\n");
          if (self) process.kill(process.pid, "SIGKILL");
        });
      setInterval(() => {}, 60_000);
      `,
    );
    const running = spawn(process.execPath, [child, path, JSON.stringify(messages), killer], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let errors = "";
    running.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      running.on("exit", (_code, signal) => resolve(signal)),
    );
    running.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (killer === "parent") running.kill("SIGKILL");
    });
    const signal = await exited;
    expect(errors).not.toMatch(/Error/);
    expect(signal).toBe("SIGKILL");
    return output
      .split("\n")
      .filter((line) => line.startsWith("accepted "))
      .map((line) => line.slice("accepted ".length));
  };

  for (const killer of ["parent", "self"] as const) {
    it(`keeps every acknowledged ingest when the process is killed with SIGKILL (${killer})`, async () => {
      const path = join(folder, "mailbox.db");
      const messages = Array.from({ length: 30 }, (_, index) => inboundMessage({ index }));
      const acknowledged = await ingestThenKill(path, messages, killer);
      expect(acknowledged.length).toBeGreaterThan(0);
      const store = open(path);
      for (const sid of acknowledged) {
        const message = messages.find((candidate) => candidate.messageSid === sid)!;
        expect(await store.ingest(message)).toBe("duplicate");
      }
    });
  }

  /**
   * Runs `script` in a child process with `store` open on `path` (the real source, through
   * the hook above), waits for it to print `ready`, and returns a SIGKILL for it.
   */
  const childOwner = async (path: string, script: string) => {
    const child = join(folder, "owner.mjs");
    const source = fileURLToPath(new URL("./sqlite-mailbox.ts", import.meta.url));
    await writeFile(
      child,
      `import { writeSync } from "node:fs";
      import { register } from "node:module";
      register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hook)}));
      const { sqliteMailbox } = await import(${JSON.stringify(source)});
      const store = sqliteMailbox({ path: process.argv[2] });
      ${script}
      writeSync(1, "ready\\n");
      setInterval(() => {}, 60_000);
      `,
    );
    const running = spawn(process.execPath, [child, path], { stdio: ["ignore", "pipe", "pipe"] });
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
      void exited.then(() => reject(new Error(`the owner child exited: ${errors}`)));
    });
    return async () => {
      running.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");
    };
  };

  it("refuses a second live owner of one file, in this process and in another", async () => {
    const path = join(folder, "owned.db");
    const first = open(path);
    expect(() => sqliteMailbox({ path })).toThrow(/already open in another live process/);
    // The refused store changed nothing: the owner still works.
    expect(await first.ingest(inboundMessage())).toBe("accepted");
    await first.close();

    const other = join(folder, "other.db");
    const kill = await childOwner(other, "");
    let refusal: unknown;
    try {
      sqliteMailbox({ path: other });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ code: "mailbox_open_failed" });
    expect(String(refusal)).toMatch(/already open .*pid \d+/);
    await kill();
    // A dead owner holds nothing: the next process opens the file.
    expect(await open(other).ingest(inboundMessage())).toBe("accepted");
  });

  it("refuses a second owner that opens the same file through a symlink", async () => {
    const path = join(folder, "linked.db");
    const first = open(path);
    const alias = join(folder, "alias.db");
    await symlink(path, alias);
    expect(() => sqliteMailbox({ path: alias })).toThrow(/already open in another live process/);
    expect(await first.ingest(inboundMessage())).toBe("accepted");
  });

  it("releases a killed owner's turn and send leases when the next owner opens the file", async () => {
    const path = join(folder, "crashed.db");
    const message = inboundMessage({ index: 0 });
    const replied = inboundMessage({ conversationSid: `CH${"0".repeat(31)}2`, index: 0 });
    // The child takes a turn and a send, each with a lease of ten minutes, and dies holding both.
    const kill = await childOwner(
      path,
      `await store.ingest(${JSON.stringify(message)});
      await store.ingest(${JSON.stringify(replied)});
      const [done] = await store.claim("worker-a", 1, 600_000);
      await store.complete(done, [{ body: "hello" }]);
      const [held] = await store.claim("worker-a", 1, 600_000);
      if (held === undefined) throw new Error("no second turn");
      const [sending] = await store.claimOutbox("sender-a", 1, 600_000);
      if (sending === undefined) throw new Error("no send");`,
    );
    await kill();
    const store = open(path);
    const [turn] = await store.claim("worker-b", 5, 10_000);
    expect(turn).toMatchObject({ workerId: "worker-b", attempt: 2 });
    const [send] = await store.claimOutbox("sender-b", 5, 10_000);
    expect(send).toMatchObject({ workerId: "sender-b", attempt: 2, mustReconcile: true });
  });

  it("keeps a killed owner's send whose request was under way until that request's deadline", async () => {
    const path = join(folder, "crashed-mid-send.db");
    const started = inboundMessage({ conversationSid: `CH${"0".repeat(31)}3`, index: 0 });
    const claimedOnly = inboundMessage({ conversationSid: `CH${"0".repeat(31)}4`, index: 0 });
    // Two replies claimed for sending; the request of the first one has left (its attempt is
    // recorded with a deadline 1.5 s away) when the owner dies.
    const kill = await childOwner(
      path,
      `for (const message of ${JSON.stringify([started, claimedOnly])}) {
        await store.ingest(message);
        const [turn] = await store.claim("worker-a", 1, 600_000);
        await store.complete(turn, [{ body: "hello " + message.conversationSid }]);
      }
      const sends = await store.claimOutbox("sender-a", 2, 600_000);
      const inFlight = sends.find((send) => send.conversationSid === ${JSON.stringify(started.conversationSid)});
      if (sends.length !== 2 || inFlight === undefined) throw new Error("no sends");
      if (!(await store.startSendAttempt(inFlight, Date.now() + 1_500))) throw new Error("not started");
      console.log("deadline " + (Date.now() + 1_500));`,
    );
    await kill();
    const store = open(path);
    const first = await store.claimOutbox("sender-b", 5, 10_000);
    // The reply only claimed is taken at once; the one whose request may still land is not.
    expect(first.map((send) => send.conversationSid)).toEqual([claimedOnly.conversationSid]);
    let later: Awaited<ReturnType<typeof store.claimOutbox>> = [];
    const giveUp = Date.now() + 10_000;
    while (later.length === 0 && Date.now() < giveUp) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      later = await store.claimOutbox("sender-b", 5, 10_000);
    }
    expect(later).toEqual([
      expect.objectContaining({
        conversationSid: started.conversationSid,
        attempt: 2,
        mustReconcile: true,
      }),
    ]);
  });
});
