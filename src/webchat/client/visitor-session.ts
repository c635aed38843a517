import type { WebchatSessionResponse } from "../webchat-wire.js";
import { errorText, type WidgetCall } from "./widget-api.js";

/** Where the visitor token is kept between page views (`localStorage`, when allowed). */
export interface TokenStore {
  load(): string | null;
  save(token: string | null): void;
}

/** A session call that failed; `retryAfter` in seconds when the server asked to wait. */
export class SessionError extends Error {
  readonly retryAfter: number;
  constructor(message: string, retryAfter: number) {
    super(message);
    this.name = "SessionError";
    this.retryAfter = retryAfter;
  }
}

/** What the widget says when the server cannot be reached at all. */
export const offlineText = "You seem to be offline; we'll reconnect when you're back.";

/**
 * The visitor's session: resumes the stored token's conversation, or starts a new one
 * when there is no token or the server refuses it (forged, expired, a rotated secret).
 * Concurrent callers share one request. `onNewConversation` runs when the server starts
 * a new conversation, so the widget clears the old log.
 */
export function createVisitorSession(options: {
  call: WidgetCall;
  store: TokenStore;
  onNewConversation(): void;
}): { token(): string | null; renew(): Promise<WebchatSessionResponse> } {
  let token = options.store.load();
  let inFlight: Promise<WebchatSessionResponse> | null = null;

  async function attempt(given: string | null): Promise<WebchatSessionResponse> {
    let result: Awaited<ReturnType<WidgetCall>>;
    try {
      result = await options.call<WebchatSessionResponse>(
        "POST",
        "/webchat/session",
        given ? { token: given } : {},
      );
    } catch {
      throw new SessionError(offlineText, 0);
    }
    if (result.status === 401 && given) {
      options.store.save(null);
      return attempt(null);
    }
    const data = result.data as WebchatSessionResponse | null;
    if (
      (result.status !== 200 && result.status !== 201) ||
      !data ||
      typeof data.token !== "string"
    ) {
      throw new SessionError(
        errorText(result.data, "The chat is unavailable right now."),
        result.retryAfter,
      );
    }
    if (!data.resumed) options.onNewConversation();
    token = data.token;
    options.store.save(token);
    return data;
  }

  return {
    token: () => token,
    renew() {
      inFlight ??= attempt(token).finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };
}

/** A `TokenStore` over `localStorage` under `key`; blocked storage keeps it per page view. */
export function localTokenStore(key: string): TokenStore {
  return {
    load() {
      try {
        return localStorage.getItem(key);
      } catch {
        return null;
      }
    },
    save(value) {
      try {
        if (value) localStorage.setItem(key, value);
        else localStorage.removeItem(key);
      } catch {
        // Storage may be blocked; the chat still works for this page view.
      }
    },
  };
}
