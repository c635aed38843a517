import { validateTurnContextOptions } from "../compose-turn-context.js";
import { mergeCustomerHistory } from "../core/customer-history.js";
import { mergeHistory } from "../core/history-order.js";
import { type CustomerAddressRow, type CustomerRow, toCustomerRecord } from "../customer-rows.js";
import { type ConsentRow, toConsentRecord } from "../ledger-rows.js";
import { customerLimits } from "../mailbox-customers.js";
import type { HandoffNote, MailboxStore } from "../mailbox-store.js";
import { toConversation } from "../sqlite-rows.js";
import { validateCustomerConversation } from "../validate-customer-input.js";
import { createWriteBatcher } from "../write-batcher.js";
import { groupByConversation } from "./group-by-conversation.js";
import { conversationRowFrom, messageRowFrom, outboxRowFrom } from "./postgres-rows.js";
import type { PostgresStoreContext } from "./postgres-store-context.js";
import { assertStorableText } from "./storable-text.js";

type Raw = Record<string, unknown>;

/** One `turn_context` call's arguments (the JSON keys of `turnContexts`). */
interface Ask {
  sid: string;
  history: number;
  memory: number;
  addresses: string[];
}

/** Batches of context reads at once (each holds a pool connection for one round trip). */
const contextReadsInFlight = 3;

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
  const readAlone = async (ask: Ask): Promise<TurnContextRow> =>
    (
      await connection.query(sql.turnContext, [
        ask.sid,
        ask.history,
        ask.memory,
        ask.addresses,
        customerLimits.historyConversations,
      ])
    ).rows[0] as unknown as TurnContextRow;
  // Turns claimed together start together: the contexts asked in one loop turn share one
  // statement, each still its own `turn_context` call. Inputs are checked before, so the
  // statement fails only as a whole (the server, the connection): then every read does.
  const reads = createWriteBatcher<Ask, TurnContextRow>(
    async (asks) => {
      if (asks.length === 1) return [{ ok: true, value: await readAlone(asks[0]!) }];
      const { rows } = await connection.query(sql.turnContexts, [
        JSON.stringify(asks.map((ask, position) => ({ position, ...ask }))),
        customerLimits.historyConversations,
      ]);
      return rows.map((row) => ({ ok: true as const, value: row as unknown as TurnContextRow }));
    },
    { windowMs: 0, maxBatch: 50, concurrency: contextReadsInFlight },
  );
  return {
    turnContext(conversationSid, options) {
      return read(async () => {
        const sid = validateCustomerConversation(conversationSid);
        assertStorableText("conversationSid", sid);
        const checked = validateTurnContextOptions(options);
        for (const address of checked.consentAddresses)
          assertStorableText("consentAddresses", address);
        const row = await reads.run({
          sid,
          history: checked.historyLimit,
          memory: checked.customerHistoryLimit,
          addresses: checked.consentAddresses,
        });
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
  const messagesOf = groupByConversation(row.other_messages.map(messageRowFrom));
  const outboxOf = groupByConversation(row.other_outbox.map(outboxRowFrom));
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
