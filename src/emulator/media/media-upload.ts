import { SwitchboardError } from "../../errors.js";

/** A file pulled out of an upload request. */
export interface UploadedFile {
  bytes: Buffer;
  contentType: string;
  filename: string | null;
}

/** Why an upload request cannot be read; the message is safe to return to the client. */
export class MediaUploadError extends SwitchboardError {
  constructor(message: string) {
    super("invalid_media_upload", message);
  }
}

const mediaType = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;
const maxFilenameLength = 255;

/**
 * Reads the file from a media service upload. Twilio's media service takes the raw bytes
 * with the file's `Content-Type` (the documented form, what `@twilio/mcs-client` sends),
 * the name from `?Filename=` or a `Content-Disposition` header; clients that build a
 * browser `FormData` send `multipart/form-data` with one file part instead, so that is
 * read too.
 */
export async function readUpload(input: {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  query: URLSearchParams;
}): Promise<UploadedFile> {
  const header = (name: string) => {
    const value = input.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const contentType = (header("content-type") ?? "").trim();
  const queryName = input.query.get("Filename");

  if (/^multipart\/form-data\s*;/i.test(contentType)) {
    let form: FormData;
    try {
      form = await new Request("http://upload.invalid/", {
        method: "POST",
        headers: { "content-type": contentType },
        // A copy: fetch's body types take a plain Uint8Array, not Node's Buffer.
        body: Uint8Array.from(input.rawBody),
      }).formData();
    } catch (error) {
      throw new MediaUploadError(`The multipart body could not be parsed: ${String(error)}`);
    }
    const file = [...form.values()].find((value): value is File => typeof value !== "string");
    if (!file) throw new MediaUploadError("The multipart body has no file part.");
    return checked({
      bytes: Buffer.from(await file.arrayBuffer()),
      contentType: file.type || "application/octet-stream",
      filename: queryName ?? (file.name || null),
    });
  }

  return checked({
    bytes: input.rawBody,
    contentType: contentType === "" ? "application/octet-stream" : contentType,
    filename: queryName ?? dispositionFilename(header("content-disposition")),
  });
}

function checked(file: UploadedFile): UploadedFile {
  if (file.bytes.length === 0) throw new MediaUploadError("The media body is empty.");
  const essence = file.contentType.split(";")[0]?.trim() ?? "";
  if (!mediaType.test(essence))
    throw new MediaUploadError(`Content-Type "${file.contentType}" is not a media type.`);
  if (file.filename !== null) {
    if (file.filename.length > maxFilenameLength)
      throw new MediaUploadError(`Filename is longer than ${maxFilenameLength} characters.`);
    // Control characters in a name would end up in a Content-Disposition header later.
    if ([...file.filename].some((character) => isControl(character.charCodeAt(0))))
      throw new MediaUploadError("Filename contains control characters.");
  }
  return { ...file, contentType: file.contentType.trim() };
}

function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f;
}

/** `filename*=UTF-8''…` (RFC 6266) wins over `filename="…"`; `null` when neither is there. */
export function dispositionFilename(disposition: string | undefined): string | null {
  if (!disposition) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      throw new MediaUploadError("Content-Disposition filename* is not valid percent-encoding.");
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(disposition);
  const name = plain?.[1]?.replace(/\\(.)/g, "$1") ?? plain?.[2];
  return name === undefined || name === "" ? null : name;
}
