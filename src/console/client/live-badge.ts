export type LiveMode = "live" | "offline" | "connecting";

/**
 * The connection badge in the header. Its text says what is happening in words ("Live",
 * "Reconnecting…", "Offline · retrying"); `data-mode` and the class carry the colour.
 */
export function createLiveBadge(badge: HTMLElement): { set(mode: LiveMode, text: string): void } {
  return {
    set(mode, text) {
      badge.className = `live${mode === "live" ? " is-live" : mode === "offline" ? " is-offline" : ""}`;
      badge.dataset.mode = mode;
      badge.textContent = text;
    },
  };
}
