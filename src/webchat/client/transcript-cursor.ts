/**
 * What the widget has shown of the conversation: the highest message index (where a
 * resumed stream starts, `?after=`) and every index already on screen, so a message that
 * comes twice (the send answer and the stream, or a replay after reconnecting) is shown
 * once.
 */
export class TranscriptCursor {
  #lastIndex = -1;
  #seen = new Set<number>();

  /** The index to resume after (`-1`: from the start). */
  get lastIndex(): number {
    return this.#lastIndex;
  }

  /** Records `index`; true when it is new (show it), false when already shown. */
  accept(index: number): boolean {
    if (index > this.#lastIndex) this.#lastIndex = index;
    if (this.#seen.has(index)) return false;
    this.#seen.add(index);
    return true;
  }

  /** Whether `index` is already on screen. */
  has(index: number): boolean {
    return this.#seen.has(index);
  }

  /** Forgets everything (a new conversation). */
  reset(): void {
    this.#lastIndex = -1;
    this.#seen.clear();
  }
}

/**
 * Where a message with `index` goes among the shown ones (`indices` in screen order,
 * `null` for a message still sending): before the first later or still-sending one, so
 * the log stays in index order whatever order messages arrive in. Returns the position
 * to insert at (`indices.length`: at the end).
 */
export function insertionPoint(indices: ReadonlyArray<number | null>, index: number): number {
  const found = indices.findIndex((other) => other === null || other > index);
  return found === -1 ? indices.length : found;
}
