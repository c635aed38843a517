import type twilio from "twilio";
import { TwilioApiError } from "../errors.js";
import { type MediaUploadTarget, mediaHost } from "./upload-media.js";

/**
 * Downloads inbound media (`ME…`) with the account's credentials: the media service's
 * metadata (`GET https://mcs.us1.twilio.com/v1/Services/{IS}/Media/{ME}`, Basic auth) names a
 * short-lived signed link (`links.content_direct_temporary`), which is then fetched without
 * credentials — so the Auth Token never travels to the storage host, and the link itself
 * is never handed to a model or written to a log. Returns the response body as a stream so
 * the caller can stop reading at its size limit.
 */
export async function downloadMedia(
  client: twilio.RequestClient,
  target: MediaUploadTarget,
  mediaSid: string,
  signal?: AbortSignal,
): Promise<AsyncIterable<Uint8Array>> {
  const host = mediaHost(target.region, target.edge);
  const uri = `https://${host}/v1/Services/${encodeURIComponent(target.serviceSid)}/Media/${encodeURIComponent(mediaSid)}`;
  const response = await client.request({
    method: "get",
    uri,
    username: target.username,
    password: target.password,
    headers: { Accept: "application/json" },
  });
  if (response.statusCode >= 400) {
    throw new TwilioApiError(`media download: the media service answered ${response.statusCode}.`, {
      status: response.statusCode,
      code: "media_download_failed",
    });
  }
  const body = typeof response.body === "string" ? safeJson(response.body) : response.body;
  const link = (body as { links?: { content_direct_temporary?: unknown } } | undefined)?.links
    ?.content_direct_temporary;
  if (typeof link !== "string" || !/^https?:\/\//.test(link)) {
    throw new TwilioApiError("media download: the media service named no download link.", {
      status: response.statusCode,
      code: "media_download_failed",
    });
  }
  const download = await fetch(link, signal === undefined ? {} : { signal });
  if (!download.ok || download.body === null) {
    await download.body?.cancel();
    throw new TwilioApiError(`media download: the download link answered ${download.status}.`, {
      status: download.status,
      code: "media_download_failed",
    });
  }
  return download.body as unknown as AsyncIterable<Uint8Array>;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
