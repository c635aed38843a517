/**
 * Returns `base` with each `[from, to]` applied, where every `from` occurs exactly once: a
 * shipped migration never changes, so a revision of one of its functions is stated as the
 * lines that differ, and a `from` that stopped matching fails at load, not in production.
 */
export function revised(base: string, changes: readonly (readonly [string, string])[]): string {
  let text = base;
  for (const [from, to] of changes) {
    const at = text.indexOf(from);
    if (at === -1 || text.indexOf(from, at + 1) !== -1)
      throw new Error(`A migration revision expects exactly one ${JSON.stringify(from)}.`);
    text = text.slice(0, at) + to + text.slice(at + from.length);
  }
  return text;
}
