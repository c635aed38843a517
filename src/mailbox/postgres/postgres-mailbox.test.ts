import { describeMailboxContract } from "../../testing/mailbox-contract.js";
import type { MailboxStore } from "../mailbox-store.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import {
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "./test-support/test-database.js";

describeWithPostgres("postgresMailbox contract", (connectionString) => {
  describeMailboxContract("postgres", async (options) => {
    const schema = testSchemaName();
    const open = async () => {
      const opened = postgresMailbox({ ...options, connectionString, schema, poolSize: 4 });
      await opened.start();
      return opened;
    };
    let store: MailboxStore = await open();
    let cleaned = false;
    return {
      store,
      async reopen() {
        await store.close();
        store = await open();
        return store;
      },
      async cleanup() {
        await store.close();
        if (cleaned) return;
        cleaned = true;
        await dropTestSchema(connectionString, schema);
      },
    };
  });
});
