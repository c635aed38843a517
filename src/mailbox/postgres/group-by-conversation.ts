import type { MessageRow, OutboxRow } from "../sqlite-rows.js";

/** Rows of several conversations (as one statement returns them) by conversation, in order. */
export function groupByConversation<Row extends MessageRow | OutboxRow>(
  rows: readonly Row[],
): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const group = groups.get(row.conversation_sid);
    if (group === undefined) groups.set(row.conversation_sid, [row]);
    else group.push(row);
  }
  return groups;
}
