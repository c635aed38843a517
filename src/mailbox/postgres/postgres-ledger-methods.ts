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
import type { PostgresStoreContext } from "./postgres-store-context.js";

/** Delivery status per message and consent per address (see `MailboxLedger`). */
export function postgresLedgerMethods(context: PostgresStoreContext): MailboxLedger {
  const { connection, sql, settings, write, read } = context;
  const { now } = settings;
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
        const row = (await connection.query(sql.consent, [address])).rows[0] as
          | ConsentRow
          | undefined;
        return row === undefined ? null : toConsentRecord(row);
      });
    },
  };
}
