import type { IncomingMessage } from "node:http";
import { ConfigError } from "../errors.js";
import { RequestError } from "../http/request-error.js";
import type { TokenBucketOptions } from "../http/token-bucket.js";

/**
 * What a visitor may attach in the web chat: photos, audio (voice notes) and PDFs, each
 * recognised by its first bytes as well as by its declared type, so a renamed executable is
 * refused even when the browser calls it `image/png`. The types are the ones the agent side
 * reads (`MediaLimits`' default list) and WhatsApp also carries.
 */
const signatures: Readonly<Record<string, (head: Uint8Array) => boolean>> = {
  "image/jpeg": (head) => starts(head, [0xff, 0xd8, 0xff]),
  "image/png": (head) => starts(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  "image/gif": (head) => ascii(head, 0, "GIF87a") || ascii(head, 0, "GIF89a"),
  "image/webp": (head) => ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP"),
  "audio/ogg": (head) => ascii(head, 0, "OggS"),
  "audio/mpeg": (head) =>
    ascii(head, 0, "ID3") || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0),
  "audio/mp4": (head) => ascii(head, 4, "ftyp"),
  "audio/aac": (head) => head[0] === 0xff && ((head[1] ?? 0) & 0xf6) === 0xf0,
  "audio/amr": (head) => ascii(head, 0, "#!AMR"),
  "audio/webm": (head) => starts(head, [0x1a, 0x45, 0xdf, 0xa3]),
  "audio/wav": (head) => ascii(head, 0, "RIFF") && ascii(head, 8, "WAVE"),
  "application/pdf": (head) => ascii(head, 0, "%PDF-"),
};

/** Every type an upload may be (`uploads.contentTypes` picks among them). */
export const webchatUploadTypes: readonly string[] = Object.keys(signatures);

/** The web chat's attachment settings (`WebchatApiOptions.uploads`). */
export interface WebchatUploadOptions {
  /** The largest file, in bytes. Default 5 MB (what the agent side reads by default); at most 16 MB. */
  maxBytes?: number;
  /** The types accepted, from {@link webchatUploadTypes}. Default: all of them. */
  contentTypes?: readonly string[];
  /** Uploads per visitor identity: a burst of 3, refilled over a minute by default. */
  rate?: Pick<TokenBucketOptions, "capacity" | "refillMs">;
}

/** Checked upload settings. */
export interface WebchatUploadLimits {
  maxBytes: number;
  contentTypes: readonly string[];
}

const maxUploadBytes = 16 * 1024 * 1024;
const longestFilename = 200;

/** Checks `uploads` at construction, naming the option that is wrong. */
export function resolveWebchatUploads(
  options: WebchatUploadOptions | undefined,
  /** The option's name in messages (`channels.webchat.uploads` in a config file). */
  option = "uploads",
): WebchatUploadLimits {
  const maxBytes = options?.maxBytes ?? 5 * 1024 * 1024;
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > maxUploadBytes)
    throw new ConfigError(
      `${option}.maxBytes`,
      `${option}.maxBytes must be a whole number of bytes from 1 to ${maxUploadBytes} (16 MB); got ${String(maxBytes)}.`,
    );
  const contentTypes = options?.contentTypes ?? webchatUploadTypes;
  if (!Array.isArray(contentTypes) || contentTypes.length === 0)
    throw new ConfigError(
      `${option}.contentTypes`,
      `${option}.contentTypes must list at least one of: ${webchatUploadTypes.join(", ")}.`,
    );
  for (const type of contentTypes)
    if (typeof type !== "string" || !(type in signatures))
      throw new ConfigError(
        `${option}.contentTypes`,
        `${option}.contentTypes: "${String(type)}" cannot be checked; pick from ${webchatUploadTypes.join(", ")}.`,
      );
  return { maxBytes, contentTypes: [...new Set(contentTypes)] };
}

/** One file a visitor uploaded, read whole and checked. */
export interface VisitorUpload {
  content: Uint8Array;
  contentType: string;
  filename: string | undefined;
}

/**
 * Reads one upload: the raw file as the body with its own `Content-Type`, the file name in
 * `X-Filename` (percent-encoded). Refuses before reading a type not accepted (415), a
 * declared length over the limit (413), and stops reading as soon as a body without a
 * declared length crosses it (413); then refuses an empty file (400) and bytes that are not
 * what the type says (415). 413s close the connection, so the rest is never read.
 */
export async function readVisitorUpload(
  request: IncomingMessage,
  limits: WebchatUploadLimits,
): Promise<VisitorUpload> {
  const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (contentType === undefined || !limits.contentTypes.includes(contentType))
    throw new RequestError(
      415,
      "unsupported_media_type",
      "This kind of file cannot be sent here; send a photo, an audio file or a PDF.",
    );
  const filename = readFilename(request.headers["x-filename"]);
  const tooLarge = () =>
    new RequestError(
      413,
      "file_too_large",
      `The file is larger than ${describeBytes(limits.maxBytes)}, the most you can send.`,
      { headers: { connection: "close" } },
    );
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limits.maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > limits.maxBytes) throw tooLarge();
    chunks.push(buffer);
  }
  if (size === 0) throw new RequestError(400, "empty_file", "The file is empty.");
  const content = Buffer.concat(chunks, size);
  if (!signatures[contentType]!(content.subarray(0, 16)))
    throw new RequestError(
      415,
      "content_mismatch",
      `The file's contents are not ${contentType}; it cannot be sent.`,
    );
  return { content, contentType, filename };
}

/** `X-Filename`, percent-decoded, as a plain base name; undefined when absent. */
function readFilename(header: string | string[] | undefined): string | undefined {
  if (header === undefined || header === "") return undefined;
  let name: string;
  try {
    name = decodeURIComponent(Array.isArray(header) ? (header[0] ?? "") : header);
  } catch {
    throw new RequestError(400, "invalid_filename", "X-Filename must be percent-encoded.");
  }
  // Only the base name, without control characters or path separators.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
  const base = (name.split(/[\\/]/).pop() ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim();
  if (base === "" || base === "." || base === "..") return undefined;
  if ([...base].length > longestFilename)
    throw new RequestError(
      400,
      "invalid_filename",
      `The file name is longer than ${longestFilename} characters.`,
    );
  return base;
}

/** "5 MB", "300 KB": the limit as a visitor reads it. */
export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function starts(head: Uint8Array, bytes: readonly number[]): boolean {
  return bytes.every((byte, position) => head[position] === byte);
}

function ascii(head: Uint8Array, at: number, text: string): boolean {
  for (let position = 0; position < text.length; position++)
    if (head[at + position] !== text.charCodeAt(position)) return false;
  return true;
}
