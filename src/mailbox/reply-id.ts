/**
 * The id of reply `position` (0-based) of turn `turnId`. Deterministic, so a turn re-run
 * after a crash produces the same ids, and the sender can look for the id in Twilio's recent
 * messages before resending after an ambiguous failure. `turnId` is a message SID, which is
 * globally unique, so the id is too.
 */
export function replyIdFor(turnId: string, position: number): string {
  return `${turnId}.r${position}`;
}

/**
 * The turn a reply id belongs to: the id up to its last `.` (`IM….r0` and `IM….template`
 * both belong to turn `IM…`), or the whole id when it has no dot.
 */
export function turnIdOfReply(replyId: string): string {
  const dot = replyId.lastIndexOf(".");
  return dot > 0 ? replyId.slice(0, dot) : replyId;
}
