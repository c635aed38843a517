/**
 * Where focus goes in a list on a key press (a roving tabindex: the list is one tab stop,
 * arrows move inside it). Returns the new position, or `null` when the key is not ours.
 */
export function nextListPosition(key: string, current: number, length: number): number | null {
  if (length === 0) return null;
  switch (key) {
    case "ArrowDown":
      return Math.min(current + 1, length - 1);
    case "ArrowUp":
      return Math.max(current - 1, 0);
    case "Home":
      return 0;
    case "End":
      return length - 1;
    default:
      return null;
  }
}
