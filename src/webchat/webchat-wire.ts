/**
 * The JSON the web chat API answers, as the widget reads it (the widget imports these
 * with `import type`, so server and browser agree on one shape).
 */

/** `POST /webchat/session` → 200 (resumed) or 201 (a new conversation). */
export interface WebchatSessionResponse {
  /** The visitor token: a bearer token for the other calls (the stream takes a one-use ticket). */
  token: string;
  identity: string;
  conversationSid: string;
  /** True when the token's conversation goes on; false for a new one (start a fresh log). */
  resumed: boolean;
  /**
   * What the visitor may attach (`POST /webchat/uploads`), so the widget refuses a file
   * before sending it; null when this chat takes no files.
   */
  uploads: { maxBytes: number; contentTypes: string[] } | null;
}

/** `POST /webchat/messages` → 202. */
export interface WebchatSendResponse {
  messageSid: string;
  index: number;
}

/** Every error answer. */
export interface WebchatErrorResponse {
  error: { code: string; message: string };
}
