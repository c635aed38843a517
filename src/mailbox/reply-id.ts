/**
 * The id of reply `position` (0-based) of turn `turnId`. Deterministic, so a turn re-run
 * after a crash produces the same ids, and the sender can look for the id in Twilio's recent
 * messages before resending after an ambiguous failure. `turnId` is a message SID, which is
 * globally unique, so the id is too.
 */
export function replyIdFor(turnId: string, position: number): string {
  return `${turnId}.r${position}`;
}
