import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeMailboxContract } from "../testing/mailbox-contract.js";
import { sqliteMailbox } from "./sqlite-mailbox.js";

// `writerThread: false`, `:memory:` and a process where the writer thread cannot start all
// commit on the calling thread: that writer keeps the whole contract too.
describeMailboxContract("sqlite, committing on the calling thread", async (options) => {
  const folder = await mkdtemp(join(tmpdir(), "switchboard-mailbox-"));
  const path = join(folder, "mailbox.db");
  let store = sqliteMailbox({ ...options, path, writerThread: false });
  return {
    store,
    async reopen() {
      await store.close();
      store = sqliteMailbox({ ...options, path, writerThread: false });
      return store;
    },
    async cleanup() {
      await store.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
});
