import { mergeCustomerHistory } from "../core/customer-history.js";
import { mergeHistory } from "../core/history-order.js";
import { validateTurnContextOptions } from "../core/turn-context.js";
import { type CustomerAddressRow, type CustomerRow, toCustomerRecord } from "../customer-rows.js";
import { type ConsentRow, toConsentRecord } from "../ledger-rows.js";
import { customerLimits } from "../mailbox-customers.js";
import type { HandoffNote, MailboxStore } from "../mailbox-store.js";
import { type MessageRow, type OutboxRow, toConversation } from "../sqlite-rows.js";
import { validateCustomerConversation } from "../validate-customer-input.js";
import { conversationRowFrom, messageRowFrom, outboxRowFrom } from "./postgres-rows.js";
import type { PostgresStoreContext } from "./postgres-store-context.js";
import { assertStorableText } from "./storable-text.js";

type Raw = Record<string, unknown>;

interface TurnContextRow {
  messages: Raw[];
  outbox: Raw[];
  customer: (CustomerRow & { addresses: CustomerAddressRow[] }) | null;
  others: Raw[];
  other_messages: Raw[];
  other_outbox: Raw[];
  note: HandoffNote | null;
  consent: ConsentRow[];
}

/** `turnContext` on PostgreSQL: one statement (see `postgresTurnContextStatements`). */
export function postgresTurnContext(
  context: Pick<PostgresStoreContext, "connection" | "sql" | "settings" | "read">,
): Required<Pick<MailboxStore, "turnContext">> {
  const { connection, sql, settings, read } = context;
  return {
    turnContext(conversationSid, options) {
      return read(async () => {
        const sid = validateCustomerConversation(conversationSid);
        assertStorableText("conversationSid", sid);
        const checked = validateTurnContextOptions(options);
        for (const address of checked.consentAddresses)
          assertStorableText("consentAddresses", address);
        const row = (
          await connection.query(sql.turnContext, [
            sid,
            checked.historyLimit,
            checked.customerHistoryLimit,
            checked.consentAddresses,
            customerLimits.historyConversations,
          ])
        ).rows[0] as unknown as TurnContextRow;
        const history = mergeHistory(
          row.messages.map(messageRowFrom),
          row.outbox.map(outboxRowFrom),
          checked.historyLimit,
        );
        const customer =
          row.customer === null
            ? null
            : (() => {
                const { addresses, ...customerRow } = row.customer;
                return toCustomerRecord(customerRow, addresses);
              })();
        const note = row.note;
        return {
          history,
          customer,
          customerHistory:
            customer === null || checked.customerHistoryLimit === 0
              ? []
              : customerHistoryOf(row, sid, checked.customerHistoryLimit, settings),
          handoffNote:
            note === null
              ? null
              : {
                  ...note,
                  startedAt: Number(note.startedAt),
                  releasedAt: note.releasedAt === null ? null : Number(note.releasedAt),
                },
          consent: row.consent.map(toConsentRecord),
        };
      });
    },
  };
}

/** `customerHistory` of the row's other conversations, merged as that method merges them. */
function customerHistoryOf(
  row: TurnContextRow,
  except: string,
  limit: number,
  settings: PostgresStoreContext["settings"],
) {
  const messagesOf = groupBy(row.other_messages.map(messageRowFrom));
  const outboxOf = groupBy(row.other_outbox.map(outboxRowFrom));
  const conversations = row.others
    .map((raw) => toConversation(conversationRowFrom(raw), settings.defaultPolicy))
    .filter((conversation) => conversation.conversationSid !== except);
  return mergeCustomerHistory(
    conversations.map((conversation) => ({
      conversation,
      entries: mergeHistory(
        messagesOf.get(conversation.conversationSid) ?? [],
        outboxOf.get(conversation.conversationSid) ?? [],
        limit,
      ),
    })),
    limit,
  );
}

function groupBy<Row extends MessageRow | OutboxRow>(rows: readonly Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const group = groups.get(row.conversation_sid);
    if (group === undefined) groups.set(row.conversation_sid, [row]);
    else group.push(row);
  }
  return groups;
}
