import { deliveryAdvances } from "../core/delivery-rules.js";
import {
  type ConsentRow,
  type DeliveryRow,
  deliveriesLimit,
  toConsentRecord,
  toDeliveryRecord,
} from "../ledger-rows.js";
import type { DeliveryStatus, MailboxLedger } from "../mailbox-store.js";
import {
  validateAddress,
  validateConsentChange,
  validateDeliveryUpdate,
  validateLedgerConversation,
} from "../validate-ledger-input.js";
import { createWriteBatcher } from "../write-batcher.js";
import type { PostgresStoreContext } from "./postgres-store-context.js";

/** Consent lookups sharing one query at most; several such queries may run at once. */
const consentReadsInFlight = 4;

/** Delivery status per message and consent per address (see `MailboxLedger`). */
export function postgresLedgerMethods(context: PostgresStoreContext): MailboxLedger {
  const { connection, sql, settings, write, read } = context;
  const { now } = settings;
  // Every inbound SMS/WhatsApp message reads its sender's consent before it is stored, so
  // under load this is one round trip per webhook. Lookups made in the same loop turn share
  // one `= ANY` query instead: a read still starts after every write that resolved before it
  // was asked, so it sees them.
  const consentReads = createWriteBatcher<string, ConsentRow | undefined>(
    async (addresses) => {
      const rows = (await connection.query<ConsentRow>(sql.consentOf, [[...new Set(addresses)]]))
        .rows;
      const byAddress = new Map(rows.map((row) => [row.address, row]));
      return addresses.map((address) => ({ ok: true, value: byAddress.get(address) }));
    },
    { windowMs: 0, maxBatch: 500, concurrency: consentReadsInFlight },
  );
  return {
    recordDelivery(update) {
      try {
        validateDeliveryUpdate(update);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(async (client) => {
        const at = now();
        const inserted = await client.query(sql.insertDelivery, [
          update.messageSid,
          update.conversationSid,
          update.status,
          update.errorCode,
          update.channel ?? null,
          update.updatedAt,
          at,
        ]);
        if (inserted.rows[0] !== undefined)
          return { changed: true, record: toDeliveryRecord(inserted.rows[0] as DeliveryRow) };
        // The row lock orders concurrent receipts of one message, so the rule sees the latest.
        const current = (await client.query(sql.lockDelivery, [update.messageSid]))
          .rows[0] as DeliveryRow;
        if (!deliveryAdvances(current.status as DeliveryStatus, update.status))
          return { changed: false, record: toDeliveryRecord(current) };
        const updated = await client.query(sql.updateDelivery, [
          update.messageSid,
          update.status,
          update.errorCode,
          update.channel ?? null,
          update.updatedAt,
          at,
        ]);
        return { changed: true, record: toDeliveryRecord(updated.rows[0] as DeliveryRow) };
      });
    },

    deliveries(conversationSid) {
      return read(async () => {
        validateLedgerConversation(conversationSid);
        const rows = await connection.query(sql.deliveriesOf, [conversationSid, deliveriesLimit]);
        return (rows.rows as unknown as DeliveryRow[]).map(toDeliveryRecord);
      });
    },

    setConsent(change) {
      try {
        validateConsentChange(change);
      } catch (error) {
        return Promise.reject(error);
      }
      return write(async (client) => {
        const stored = await client.query(sql.upsertConsent, [
          change.address,
          change.state,
          change.reason,
          change.detail ?? null,
          now(),
        ]);
        return toConsentRecord(stored.rows[0] as ConsentRow);
      });
    },

    consent(address) {
      return read(async () => {
        validateAddress(address);
        const row = await consentReads.run(address);
        return row === undefined ? null : toConsentRecord(row);
      });
    },
  };
}
