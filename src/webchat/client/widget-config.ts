/** How the widget looks and behaves, from `data-*` attributes. */
export interface WidgetConfig {
  /** The switchboard's origin, where the API lives. */
  server: string;
  title: string;
  subtitle: string;
  greeting: string;
  /** A hex colour. */
  accent: string;
  /** Open the chat on load. */
  open: boolean;
  /** `auto` follows the visitor's light/dark setting; `light` or `dark` pins one. */
  theme: "auto" | "light" | "dark";
}

export const defaultAccent = "#4c6ef5";

/**
 * Reads the widget's settings from `data-title`, `data-subtitle`, `data-greeting`,
 * `data-accent` (a hex colour; anything else falls back to the default, so a page cannot
 * inject CSS through it), `data-open="true"` and `data-theme` (`auto`, `light`, `dark`). `server` is the switchboard's origin.
 */
export function readWidgetConfig(
  source: Pick<Element, "getAttribute">,
  server: string,
): WidgetConfig {
  const attribute = (name: string, fallback: string) => {
    const value = source.getAttribute(`data-${name}`)?.trim();
    return value ? value : fallback;
  };
  const accent = attribute("accent", defaultAccent);
  const theme = attribute("theme", "auto");
  return {
    server,
    title: attribute("title", "Chat with us"),
    subtitle: attribute("subtitle", "We typically reply in a few seconds"),
    greeting: attribute("greeting", "Hi there! Ask us anything and we will get right back to you."),
    accent: /^#[0-9a-fA-F]{3,8}$/.test(accent) ? accent : defaultAccent,
    open: attribute("open", "") === "true",
    theme: theme === "light" || theme === "dark" ? theme : "auto",
  };
}
