import type { ContentStore } from "./content-store.js";
import {
  type ContentChannel,
  ContentRenderError,
  type RenderedContent,
  renderTemplate,
} from "./render-template.js";

/** A message create's template fields, as the Conversations API receives them. */
export interface ContentSend {
  accountSid: string;
  /** The `ContentSid` parameter. */
  contentSid: string;
  /** The `ContentVariables` parameter (a JSON object string), if any. */
  contentVariables?: string | null;
  /** The recipient's channel; decides which content type is delivered. */
  channel?: ContentChannel;
}

/**
 * Resolves and renders the template a message names with `ContentSid` — the one call
 * message delivery needs. Throws `ContentRenderError`: `unknown_content` (twilioCode
 * 21655, likely) when the sid is not one of this account's templates, and the variable
 * and type errors of `renderTemplate`.
 */
export function renderContentMessage(store: ContentStore, send: ContentSend): RenderedContent {
  const template = store.get(send.contentSid, send.accountSid);
  if (!template)
    throw new ContentRenderError(
      "unknown_content",
      `ContentSid ${send.contentSid} is not a template of this account.`,
    );
  return renderTemplate(
    template,
    send.contentVariables,
    send.channel === undefined ? {} : { channel: send.channel },
  );
}
