import { deliveryAdvances } from "./core/delivery-rules.js";
import {
  type ConsentRow,
  type DeliveryRow,
  toConsentRecord,
  toDeliveryRecord,
} from "./ledger-rows.js";
import type { DeliveryStatus } from "./mailbox-store.js";
import type { SqliteStatements } from "./sqlite-statements.js";
import type { SqliteWrite, SqliteWriteResults } from "./sqlite-write.js";

/** What a ledger handler gets: the statements and the store time. */
interface LedgerContext {
  statements: SqliteStatements;
  at: number;
}

/** The SQLite store's delivery and consent writes, spread into its handler table. */
export const sqliteLedgerHandlers = {
  recordDelivery(
    { statements, at }: LedgerContext,
    { update }: Extract<SqliteWrite, { kind: "recordDelivery" }>,
  ): SqliteWriteResults["recordDelivery"] {
    const current = statements.delivery.get(update.messageSid) as DeliveryRow | undefined;
    if (current !== undefined && !deliveryAdvances(current.status as DeliveryStatus, update.status))
      return { changed: false, record: toDeliveryRecord(current) };
    statements.upsertDelivery.run({
      messageSid: update.messageSid,
      conversationSid: update.conversationSid,
      status: update.status,
      errorCode: update.errorCode,
      channel: update.channel ?? null,
      updatedAt: update.updatedAt,
      at,
    });
    const stored = statements.delivery.get(update.messageSid) as DeliveryRow;
    return { changed: true, record: toDeliveryRecord(stored) };
  },

  setConsent(
    { statements, at }: LedgerContext,
    { change }: Extract<SqliteWrite, { kind: "setConsent" }>,
  ): SqliteWriteResults["setConsent"] {
    statements.upsertConsent.run({
      address: change.address,
      state: change.state,
      reason: change.reason,
      detail: change.detail ?? null,
      at,
    });
    return toConsentRecord(statements.consent.get(change.address) as ConsentRow);
  },
};
