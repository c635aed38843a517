import { expect, it } from "vitest";
import { fakeSid, inboundMessage } from "../../testing/mailbox-contract/contract-fixtures.js";
import { type CustomerActivity, customersByActivity } from "../core/customers-by-activity.js";
import { postgresCustomerStatements } from "./postgres-customer-statements.js";
import { freshStorePerTest } from "./test-support/fresh-store.js";
import { describeWithPostgres } from "./test-support/test-database.js";

// The console's Customers page read every customer, and every conversation of each, on each
// load (0.5 s at 100k customers). The plain list now walks the most recent conversations.
// Rows read are counted from PostgreSQL's own per-transaction statistics: no timing.
describeWithPostgres("postgresMailbox: listing customers reads the recent ones", (url) => {
  const fresh = freshStorePerTest(url);

  /** `count` customers, each made on its first message, as on arrival (20 at a time). */
  async function customers(count: number, from: number): Promise<void> {
    for (let chunk = 0; chunk < count; chunk += 20)
      await Promise.all(
        Array.from({ length: Math.min(20, count - chunk) }, async (_, n) => {
          const address = `+1555${String(from + chunk + n).padStart(7, "0")}`;
          await fresh.store.ensureCustomer({ kind: "sms", value: address });
          await fresh.store.ingest(
            inboundMessage({
              conversationSid: fakeSid("CH"),
              customerAddress: address,
              author: address,
              dateCreated: Date.now(),
            }),
          );
        }),
      );
    await fresh.client.query(
      `ANALYZE "${fresh.schema}".conversations, "${fresh.schema}".customers`,
    );
  }

  /** Customer and conversation rows read by one list of `limit`, through the store's SQL. */
  async function rowsReadByList(limit: number) {
    const sql = postgresCustomerStatements(`"${fresh.schema}".`, "0");
    const rows = async (text: string, values: unknown[]) =>
      (await fresh.client.query(text, values)).rows.map(
        (row): CustomerActivity => ({ customerId: row.customerId, at: Number(row.at) }),
      );
    await fresh.client.query("BEGIN");
    try {
      const listed = await customersByActivity(
        {
          cutoff: async (window) => {
            const [row] = (await fresh.client.query(sql.activityCutoff, [window])).rows;
            return row === undefined ? null : Number(row.at);
          },
          activeSince: (since) => rows(sql.activeCustomersSince, [since]),
          quietSince: (since, most) => rows(sql.quietCustomersSince, [since, most]),
        },
        limit,
      );
      const { rows: read } = await fresh.client.query<{ relname: string; read: string }>(
        `SELECT relname, coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) AS read
           FROM pg_stat_xact_user_tables WHERE schemaname = $1`,
        [fresh.schema],
      );
      const of = (table: string) => Number(read.find((row) => row.relname === table)?.read ?? 0);
      return {
        listed: listed.length,
        customers: of("customers"),
        conversations: of("conversations"),
      };
    } finally {
      await fresh.client.query("ROLLBACK");
    }
  }

  it("reads about the page, not every customer", async () => {
    // The plan a grown table gets (a tiny one is read whole).
    await fresh.client.query("SET enable_seqscan = off");
    await customers(100, 0);
    const few = await rowsReadByList(10);
    await customers(900, 100);
    const many = await rowsReadByList(10);
    expect([few.listed, many.listed]).toEqual([10, 10]);
    // A window of 40 conversations (read twice: its cutoff, then its rows) and the newest
    // customers: a few dozen rows at 100 customers and at 1,000 alike. Reading every
    // customer read each of the 1,000 conversations.
    expect(many.conversations).toBeLessThan(250);
    expect(many.customers).toBeLessThan(50);
  });
});
