import type {
  CustomerAddressKind,
  CustomerAddressRecord,
  CustomerLinkSource,
  CustomerRecord,
} from "./mailbox-customers.js";

/** A `customers` row as either driver returns it (PostgreSQL may give numbers as strings). */
export interface CustomerRow {
  customer_id: string;
  created_at: number | string;
  handoff_conversation_sid: string | null;
  handoff_since: number | string | null;
}

/** A `customer_addresses` row as either driver returns it. */
export interface CustomerAddressRow {
  kind: string;
  value: string;
  customer_id: string;
  source: string;
  linked_at: number | string;
}

function toAddress(row: CustomerAddressRow): CustomerAddressRecord {
  return {
    kind: row.kind as CustomerAddressKind,
    value: row.value,
    source: row.source as CustomerLinkSource,
    linkedAt: Number(row.linked_at),
  };
}

/** Builds the public record from the customer row and its address rows (any order). */
export function toCustomerRecord(
  row: CustomerRow,
  addresses: readonly CustomerAddressRow[],
): CustomerRecord {
  const sorted = addresses
    .map(toAddress)
    .sort(
      (a, b) =>
        a.linkedAt - b.linkedAt ||
        a.kind.localeCompare(b.kind) ||
        (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
    );
  return {
    customerId: row.customer_id,
    createdAt: Number(row.created_at),
    addresses: sorted,
    handoff:
      row.handoff_conversation_sid === null
        ? null
        : {
            conversationSid: row.handoff_conversation_sid,
            since: Number(row.handoff_since),
          },
  };
}
