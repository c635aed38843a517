import type { WebchatMedia } from "../webchat-deps.js";

/** What the chat takes, as the session answered it (`WebchatSessionResponse.uploads`). */
export interface UploadRules {
  maxBytes: number;
  contentTypes: readonly string[];
}

// Names browsers and phones give the same formats; the server knows one name for each.
const aliases: Readonly<Record<string, string>> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "audio/mp3": "audio/mpeg",
  "audio/x-m4a": "audio/mp4",
  "audio/m4a": "audio/mp4",
  "audio/x-wav": "audio/wav",
  "audio/wave": "audio/wav",
  "audio/vnd.wave": "audio/wav",
  "audio/opus": "audio/ogg",
  "audio/x-aac": "audio/aac",
};

// When the browser names no type, the file's extension does.
const byExtension: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  oga: "audio/ogg",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  aac: "audio/aac",
  amr: "audio/amr",
  weba: "audio/webm",
  wav: "audio/wav",
  pdf: "application/pdf",
};

/** The server's name for a file's type: its own, an alias resolved, or from its extension. */
export function uploadType(file: { type: string; name: string }): string {
  const given = file.type.split(";")[0]?.trim().toLowerCase() ?? "";
  if (given !== "") return aliases[given] ?? given;
  const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? "";
  return byExtension[extension] ?? "";
}

/** "5 MB", "300 KB": a limit as a visitor reads it. */
export function describeSize(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    const megabytes = bytes / (1024 * 1024);
    return `${Number(megabytes.toFixed(1))} MB`;
  }
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** What the chat takes, in words: "photos, audio or PDFs". */
export function describeTypes(contentTypes: readonly string[]): string {
  const kinds: string[] = [];
  if (contentTypes.some((type) => type.startsWith("image/"))) kinds.push("photos");
  if (contentTypes.some((type) => type.startsWith("audio/"))) kinds.push("audio");
  if (contentTypes.includes("application/pdf")) kinds.push("PDFs");
  if (kinds.length <= 1) return kinds[0] ?? "no files";
  return `${kinds.slice(0, -1).join(", ")} or ${kinds.at(-1)}`;
}

/**
 * Why `file` cannot be sent, in words for the visitor, or `null` when it can: checked before
 * anything is uploaded, so a wrong file costs no bandwidth. The server checks again.
 */
export function attachmentProblem(
  file: { type: string; name: string; size: number },
  rules: UploadRules,
): string | null {
  const type = uploadType(file);
  if (!rules.contentTypes.includes(type))
    return `“${shortName(file.name)}” can’t be sent: you can send ${describeTypes(rules.contentTypes)}.`;
  if (file.size === 0) return `“${shortName(file.name)}” is empty.`;
  if (file.size > rules.maxBytes) {
    const size = describeSize(file.size);
    const limit = describeSize(rules.maxBytes);
    // "is 1 MB; files can be up to 1 MB" would read as a contradiction.
    return size === limit
      ? `“${shortName(file.name)}” is just over ${limit}, the most you can send.`
      : `“${shortName(file.name)}” is ${size}; files can be up to ${limit}.`;
  }
  return null;
}

/** The `accept` attribute of the file picker. */
export function acceptAttribute(rules: UploadRules): string {
  return rules.contentTypes.join(",");
}

/** A long name cut in the middle, for messages. */
export function shortName(name: string): string {
  const characters = [...name];
  if (characters.length <= 40) return name;
  return `${characters.slice(0, 24).join("")}…${characters.slice(-12).join("")}`;
}

/** How an attachment is shown: a picture, a player, or a labelled file. */
export function attachmentKind(
  media: Pick<WebchatMedia, "contentType">,
): "image" | "audio" | "file" {
  const type = typeof media.contentType === "string" ? media.contentType.toLowerCase() : "";
  if (/^image\/(jpeg|png|gif|webp)$/.test(type)) return "image";
  if (type.startsWith("audio/")) return "audio";
  return "file";
}

/** The label of an attachment: its name, or what it is. */
export function attachmentLabel(media: Pick<WebchatMedia, "contentType" | "filename">): string {
  if (typeof media.filename === "string" && media.filename.trim() !== "") return media.filename;
  const kind = attachmentKind(media);
  if (kind === "image") return "Photo";
  if (kind === "audio") return "Voice note";
  return media.contentType === "application/pdf" ? "PDF document" : "Attachment";
}
