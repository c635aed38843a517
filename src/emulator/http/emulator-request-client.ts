import twilio from "twilio";

const { RequestClient } = twilio;
export type EmulatorRequestOptions<TData> = Parameters<
  InstanceType<typeof RequestClient>["request"]
>[0] & {
  data?: TData;
};

/**
 * A request client for the official `twilio` SDK that sends every `https://*.twilio.com`
 * request (conversations, media, content, messaging) to the emulator, keeping path and
 * query. Responses still carry real Twilio URLs, so paging via `next_page_url` works.
 */
export class EmulatorRequestClient extends RequestClient {
  readonly #emulatorUrl: URL;

  /**
   * `options.timeout` (ms) bounds each request, as the SDK's own `RequestClient` option
   * does; none by default.
   */
  constructor(emulatorUrl: string, options: { timeout?: number } = {}) {
    super({
      keepAlive: false,
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    });
    this.#emulatorUrl = new URL(emulatorUrl);
  }

  override request<TData>(options: EmulatorRequestOptions<TData>) {
    return super.request<TData>({ ...options, uri: this.rewrite(options.uri) });
  }

  /** Maps a Twilio URL onto the emulator; other URLs are left alone. */
  rewrite(uri: string): string {
    const target = new URL(uri);
    if (target.hostname !== "twilio.com" && !target.hostname.endsWith(".twilio.com")) return uri;
    target.protocol = this.#emulatorUrl.protocol;
    target.host = this.#emulatorUrl.host;
    return target.toString();
  }
}
