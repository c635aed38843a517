import type { ConsoleMedia } from "../console-deps.js";
import { el, isHttpUrl } from "./dom.js";

/** Fetches one attachment's bytes (with the console token, never in the URL). */
export type MediaOpener = (index: number, position: number) => Promise<Blob>;

interface Opened {
  url: string;
  image: boolean;
  filename: string;
}

/** Image types the console shows inline; nothing that can run script (no SVG). */
const inlineImages = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

const extensions: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "application/pdf": "pdf",
};

/** A name to save the attachment under: the customer's, reduced to safe characters. */
export function downloadName(media: Pick<ConsoleMedia, "filename" | "contentType">): string {
  const cleaned = (media.filename ?? "")
    .split("")
    .map((char) => (char < " " || char === "\u007f" ? "_" : char))
    .join("")
    .replace(/[\\/:*?"<>|]+/g, "_")
    .replace(/^[.\s]+/, "")
    .trim()
    .slice(0, 120);
  return cleaned || `attachment.${extensions[media.contentType] ?? "bin"}`;
}

/**
 * A transcript's attachments: each one a button that fetches its bytes as a blob when the
 * operator asks (the API needs the bearer token, so a plain link cannot), then an image shows
 * as a thumbnail linking to the full picture and anything else as a download link. Opened
 * attachments survive re-renders; `reset` (another conversation) releases them.
 */
export class MediaPreviews {
  readonly #open: MediaOpener | undefined;
  #opened = new Map<string, Opened>();

  constructor(open: MediaOpener | undefined) {
    this.#open = open;
  }

  reset(): void {
    for (const opened of this.#opened.values()) URL.revokeObjectURL(opened.url);
    this.#opened = new Map();
  }

  /** The node for `media[position]` of the message with `Index` `index`. */
  node(entry: ConsoleMedia, index: number | undefined, position: number): HTMLElement {
    const label = entry?.filename || entry?.contentType || "attachment";
    if (isHttpUrl(entry?.url)) {
      const link = el("a", "media", label);
      link.href = entry.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    const open = this.#open;
    if (open === undefined || typeof index !== "number") return el("span", "media", label);
    const key = `${index}:${position}`;
    const known = this.#opened.get(key);
    if (known !== undefined) return openedNode(known, label);
    const button = el("button", "media media-open", `Open ${label}`);
    button.type = "button";
    button.dataset.media = key;
    button.setAttribute("aria-label", `Open attachment ${label}`);
    button.addEventListener("click", async () => {
      const opened = this.#opened;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      button.textContent = `Opening ${label}…`;
      try {
        const blob = await open(index, position);
        // Another conversation was opened meanwhile: this one's bytes are not wanted.
        if (opened !== this.#opened) return;
        const type = blob.type.split(";")[0]?.trim().toLowerCase() ?? "";
        const image = inlineImages.has(type);
        // Only a known image keeps its type; anything else becomes opaque bytes to save.
        const safe = new Blob([blob], { type: image ? type : "application/octet-stream" });
        const result: Opened = {
          url: URL.createObjectURL(safe),
          image,
          filename: downloadName(entry),
        };
        opened.set(key, result);
        // A live update may have re-drawn the transcript while the bytes came: then this
        // button is gone and its successor (drawn before the result was known) stands in.
        const shown = button.isConnected
          ? button
          : document.querySelector<HTMLElement>(`button[data-media="${key}"]`);
        if (shown === null) return;
        const node = openedNode(result, label);
        shown.replaceWith(node);
        node.focus();
      } catch (error) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        button.textContent = `Open ${label} — failed, try again`;
        button.title = error instanceof Error ? error.message : "Could not open the attachment.";
      }
    });
    return button;
  }
}

function openedNode(opened: Opened, label: string): HTMLAnchorElement {
  if (opened.image) {
    const link = el("a", "media-thumb");
    link.href = opened.url;
    link.target = "_blank";
    link.title = `Open ${label} full size`;
    link.setAttribute("aria-label", `Open ${label} full size`);
    const image = el("img");
    image.src = opened.url;
    image.alt = label;
    link.append(image);
    return link;
  }
  const link = el("a", "media media-download", `⬇ ${opened.filename}`);
  link.href = opened.url;
  link.download = opened.filename;
  link.setAttribute("aria-label", `Download ${opened.filename}`);
  return link;
}
