import type { Choices } from "../channel/choices.js";
import { InvalidReplyError } from "./agent-errors.js";
import type { MediaTranscript, Reply, ReplyMedia } from "./types.js";

/**
 * Checks what an agent returned and turns it into a {@link Reply}: a bare string becomes
 * `{ text }`; `skip` wins over anything else in the object. Agents are user code, so this runs on every answer; anything unusable throws
 * {@link InvalidReplyError} naming the problem instead of sending something half-formed.
 */
export function normalizeReply(answer: unknown): Reply {
  const value = typeof answer === "string" ? { text: answer } : answer;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidReplyError(
      `An agent must answer a string or a reply object ({ text }, { handoff }, { skip }); got ${describe(value)}.`,
    );
  }
  const record = value as Record<string, unknown>;
  const notes = normalizeNotes(record.transcripts);
  if (record.skip === true) {
    return typeof record.reason === "string"
      ? { skip: true, reason: record.reason, ...notes }
      : { skip: true, ...notes };
  }
  if (record.handoff !== undefined) {
    const handoff = record.handoff as Record<string, unknown> | null;
    const reason = typeof handoff === "object" && handoff !== null ? handoff.reason : undefined;
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new InvalidReplyError('A handoff reply needs a reason: { handoff: { reason: "…" } }.');
    }
    const summary = optionalString((handoff as Record<string, unknown>).summary, "handoff.summary");
    const details =
      summary === undefined || summary.trim() === "" ? { reason } : { reason, summary };
    const text = optionalString(record.text, "text");
    return text === undefined || text.trim() === ""
      ? { handoff: details, ...notes }
      : { handoff: details, text, ...notes };
  }

  const reply: {
    text?: string;
    media?: ReplyMedia[];
    template?: { contentSid: string; variables?: Record<string, string> };
    choices?: Choices;
    transcripts?: readonly MediaTranscript[];
  } = {};
  const text = optionalString(record.text, "text");
  if (text !== undefined && text.trim() !== "") reply.text = text;
  if (record.media !== undefined) {
    if (!Array.isArray(record.media)) throw new InvalidReplyError("Reply media must be an array.");
    const media = record.media.map(normalizeMedia);
    if (media.length > 0) reply.media = media;
  }
  if (record.template !== undefined) reply.template = normalizeTemplate(record.template);
  if (record.choices !== undefined) reply.choices = normalizeChoices(record.choices);
  if (
    reply.text === undefined &&
    reply.media === undefined &&
    reply.template === undefined &&
    reply.choices === undefined
  ) {
    throw new InvalidReplyError(
      "A reply needs non-empty text, media, a template or choices; answer { skip: true } to send nothing.",
    );
  }
  if (notes.transcripts !== undefined) reply.transcripts = notes.transcripts;
  return reply;
}

/**
 * Only the shape is checked here; whether the choices fit the channel (button counts,
 * title lengths) is the channel rules' `validateChoices`, run by the runtime.
 */
function normalizeChoices(value: unknown): Choices {
  const choices = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (choices.type === "card") {
    if (!Array.isArray(choices.actions)) {
      throw new InvalidReplyError("Reply choices of type card need an actions array.");
    }
  } else if (choices.type === "quick-replies" || choices.type === "list") {
    if (!Array.isArray(choices.options)) {
      throw new InvalidReplyError(`Reply choices of type ${choices.type} need an options array.`);
    }
  } else {
    throw new InvalidReplyError('Reply choices.type must be "quick-replies", "list" or "card".');
  }
  if (choices.template !== undefined && typeof choices.template !== "string")
    throw new InvalidReplyError("Reply choices.template must be a template name (a string).");
  return value as Choices;
}

function normalizeNotes(value: unknown): { transcripts?: readonly MediaTranscript[] } {
  if (value === undefined) return {};
  if (!Array.isArray(value)) throw new InvalidReplyError("Reply transcripts must be an array.");
  const transcripts = value.map((raw: unknown, position): MediaTranscript => {
    const entry = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    if (
      typeof entry.messageSid !== "string" ||
      !Number.isInteger(entry.mediaIndex) ||
      typeof entry.text !== "string"
    ) {
      throw new InvalidReplyError(
        `Reply transcripts[${position}] needs messageSid (string), mediaIndex (integer) and text.`,
      );
    }
    const mediaSid = optionalString(entry.mediaSid, `transcripts[${position}].mediaSid`);
    return {
      messageSid: entry.messageSid,
      mediaIndex: entry.mediaIndex as number,
      ...(mediaSid === undefined ? {} : { mediaSid }),
      text: entry.text,
    };
  });
  return transcripts.length === 0 ? {} : { transcripts };
}

function normalizeMedia(value: unknown, position: number): ReplyMedia {
  const media = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const contentType = optionalString(media.contentType, `media[${position}].contentType`);
  const filename = optionalString(media.filename, `media[${position}].filename`);
  const extras = {
    ...(filename === undefined ? {} : { filename }),
  };
  if (typeof media.url === "string") {
    // Twilio fetches the media itself, so only a public http(s) URL can work.
    if (!/^https?:$/.test(URL.parse(media.url)?.protocol ?? "")) {
      throw new InvalidReplyError(`Reply media[${position}].url is not an http(s) URL.`);
    }
    return { url: media.url, ...extras, ...(contentType === undefined ? {} : { contentType }) };
  }
  if (media.data instanceof Uint8Array) {
    if (contentType === undefined) {
      throw new InvalidReplyError(`Reply media[${position}] has data but no contentType.`);
    }
    return { data: media.data, contentType, ...extras };
  }
  throw new InvalidReplyError(`Reply media[${position}] needs a url or data (Uint8Array).`);
}

function normalizeTemplate(value: unknown): {
  contentSid: string;
  variables?: Record<string, string>;
} {
  const template = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (typeof template.contentSid !== "string" || !/^HX[0-9a-fA-F]{32}$/.test(template.contentSid)) {
    throw new InvalidReplyError(
      "Reply template.contentSid must be a Content SID (HX followed by 32 hex digits).",
    );
  }
  if (template.variables === undefined) return { contentSid: template.contentSid };
  if (typeof template.variables !== "object" || template.variables === null) {
    throw new InvalidReplyError("Reply template.variables must be an object of strings.");
  }
  const variables: Record<string, string> = {};
  for (const [key, variable] of Object.entries(template.variables)) {
    if (typeof variable !== "string") {
      throw new InvalidReplyError(`Reply template variable "${key}" must be a string.`);
    }
    variables[key] = variable;
  }
  return { contentSid: template.contentSid, variables };
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new InvalidReplyError(`Reply ${name} must be a string.`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
