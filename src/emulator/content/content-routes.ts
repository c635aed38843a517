import { ContentRequestError, parseContentCreateRequest } from "./content-create-request.js";
import {
  ContentApprovalError,
  type ContentStore,
  type ContentTemplate,
  type WhatsAppApproval,
} from "./content-store.js";
import { type Route, type RouteRequest, type RouteResponse, twilioError } from "./route.js";

export interface ContentRoutesOptions {
  store: ContentStore;
  /**
   * Origin printed in `url`, `links` and page URLs. Defaults to Twilio's Content host so
   * the official SDK, whose HTTP client the emulator rewrites, follows them unchanged.
   */
  publicBaseUrl?: string;
  /** Largest JSON body accepted by create, in bytes (default 64 KiB). */
  maxBodyBytes?: number;
}

// Error codes the Content API answers with. 20404 is verified; 20001 for a malformed
// request is likely. Kept in one place so they are easy to correct.
const codes = { notFound: 20404, badRequest: 20001, tooLarge: 20001 } as const;

const sidPattern = /^HX[0-9a-fA-F]{32}$/;
const defaultPageSize = 50;
const maxPageSize = 1000;

/**
 * The Content API routes (`/v1/Content`, create/list/fetch/delete), to mount on the
 * emulator's router. Responses follow `twilio_content_v1.json`: create answers 201 with
 * the template, list answers `{ contents, meta }`, delete answers 204.
 */
export function createContentRoutes(options: ContentRoutesOptions): Route[] {
  const { store } = options;
  const base = (options.publicBaseUrl ?? "https://content.twilio.com").replace(/\/+$/, "");
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;

  const toJson = (template: ContentTemplate) => {
    const url = `${base}/v1/Content/${template.sid}`;
    return {
      ...template,
      url,
      links: {
        approval_create: `${url}/ApprovalRequests/whatsapp`,
        approval_fetch: `${url}/ApprovalRequests`,
      },
    };
  };

  const notFound = (sid: string) =>
    twilioError(404, codes.notFound, `The requested resource /v1/Content/${sid} was not found`);

  const create = (request: RouteRequest): RouteResponse => {
    if (request.rawBody.length > maxBodyBytes)
      return twilioError(413, codes.tooLarge, `The request body exceeds ${maxBodyBytes} bytes.`);
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString("utf8"));
    } catch {
      return twilioError(
        400,
        codes.badRequest,
        "The Content API takes a JSON body (Content-Type: application/json).",
      );
    }
    try {
      return {
        status: 201,
        body: toJson(store.create(request.accountSid, parseContentCreateRequest(body))),
      };
    } catch (error) {
      if (error instanceof ContentRequestError)
        return twilioError(400, codes.badRequest, error.message);
      throw error;
    }
  };

  const list = (
    request: RouteRequest,
    path: "/v1/Content" | "/v1/ContentAndApprovals",
  ): RouteResponse => {
    const pageSize = integerParameter(request.query, "PageSize", defaultPageSize, 1, maxPageSize);
    const page = integerParameter(request.query, "Page", 0, 0, Number.MAX_SAFE_INTEGER);
    const token = request.query.get("PageToken");
    const cursor = token === null ? 0 : Number(/^PT(\d{1,15})$/.exec(token)?.[1] ?? Number.NaN);
    if (pageSize === undefined || page === undefined || !Number.isSafeInteger(cursor))
      return twilioError(
        400,
        codes.badRequest,
        `PageSize must be 1..${maxPageSize}, Page a non-negative integer and PageToken one this API returned.`,
      );
    // Without a token, Page alone still selects a page (sequence numbers are dense until a
    // delete); the SDK always follows next_page_url, which carries the token.
    const result = store.list(
      request.accountSid,
      cursor,
      token === null ? (page + 1) * pageSize : pageSize,
    );
    const templates = token === null ? result.templates.slice(page * pageSize) : result.templates;
    const pageUrl = (number: number, pageToken?: string) =>
      `${base}${path}?PageSize=${pageSize}&Page=${number}${pageToken ? `&PageToken=${pageToken}` : ""}`;
    const itemJson: (template: ContentTemplate) => unknown =
      path === "/v1/Content"
        ? toJson
        : (template: ContentTemplate) => ({
            ...template,
            approval_requests: approvalJson(store.approval(template.sid)!),
          });
    return {
      status: 200,
      body: {
        contents: templates.map(itemJson),
        meta: {
          page,
          page_size: pageSize,
          first_page_url: pageUrl(0),
          previous_page_url: page > 0 ? pageUrl(page - 1) : null,
          url: pageUrl(page, token ?? undefined),
          next_page_url:
            result.nextCursor === undefined ? null : pageUrl(page + 1, `PT${result.nextCursor}`),
          key: "contents",
        },
      },
    };
  };

  const fetch = (request: RouteRequest): RouteResponse => {
    const sid = request.params.sid ?? "";
    const template = sidPattern.test(sid) ? store.get(sid, request.accountSid) : undefined;
    return template ? { status: 200, body: toJson(template) } : notFound(sid);
  };

  const remove = (request: RouteRequest): RouteResponse => {
    const sid = request.params.sid ?? "";
    return sidPattern.test(sid) && store.remove(sid, request.accountSid)
      ? { status: 204 }
      : notFound(sid);
  };

  const readApprovalRequest = (request: RouteRequest) => {
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString("utf8"));
    } catch {
      return "The approval request takes a JSON body with name and category.";
    }
    const {
      name,
      category,
      allow_category_change: allow,
    } = (body ?? {}) as Record<string, unknown>;
    // ContentApprovalRequest in twilio_content_v1.json requires both; WhatsApp template
    // names are lowercase letters, digits and underscores, and its categories are these three.
    if (typeof name !== "string" || !/^[a-z0-9_]{1,512}$/.test(name))
      return "name is required: lowercase letters, digits and underscores.";
    if (
      typeof category !== "string" ||
      !["UTILITY", "MARKETING", "AUTHENTICATION"].includes(category)
    )
      return "category is required: UTILITY, MARKETING or AUTHENTICATION.";
    if (allow !== undefined && typeof allow !== "boolean")
      return "allow_category_change must be a boolean.";
    return { name, category, ...(allow === undefined ? {} : { allowCategoryChange: allow }) };
  };

  const createApproval = (request: RouteRequest): RouteResponse => {
    const sid = request.params.sid ?? "";
    if (!sidPattern.test(sid) || !store.get(sid, request.accountSid)) return notFound(sid);
    const input = readApprovalRequest(request);
    if (typeof input === "string") return twilioError(400, codes.badRequest, input);
    try {
      const approval = store.requestApproval(sid, request.accountSid, input);
      return approval ? { status: 201, body: approvalJson(approval) } : notFound(sid);
    } catch (error) {
      if (error instanceof ContentApprovalError)
        return twilioError(400, codes.badRequest, error.message);
      throw error;
    }
  };

  const fetchApproval = (request: RouteRequest): RouteResponse => {
    const sid = request.params.sid ?? "";
    const approval = sidPattern.test(sid) ? store.approval(sid, request.accountSid) : undefined;
    if (!approval) return notFound(sid);
    return {
      status: 200,
      body: {
        sid,
        account_sid: request.accountSid,
        whatsapp: { type: "whatsapp", ...approvalJson(approval) },
        url: `${base}/v1/Content/${sid}/ApprovalRequests`,
      },
    };
  };

  return [
    { method: "POST", pattern: "/v1/Content", handler: create },
    { method: "GET", pattern: "/v1/Content", handler: (request) => list(request, "/v1/Content") },
    {
      method: "GET",
      pattern: "/v1/ContentAndApprovals",
      handler: (request) => list(request, "/v1/ContentAndApprovals"),
    },
    {
      method: "POST",
      pattern: "/v1/Content/{sid}/ApprovalRequests/whatsapp",
      handler: createApproval,
    },
    { method: "GET", pattern: "/v1/Content/{sid}/ApprovalRequests", handler: fetchApproval },
    { method: "GET", pattern: "/v1/Content/{sid}", handler: fetch },
    { method: "DELETE", pattern: "/v1/Content/{sid}", handler: remove },
  ];
}

/** An approval in the Content API's order of fields. */
function approvalJson(approval: WhatsAppApproval) {
  return {
    name: approval.name,
    category: approval.category,
    content_type: approval.content_type,
    status: approval.status,
    rejection_reason: approval.rejection_reason,
    allow_category_change: approval.allow_category_change,
  };
}

function integerParameter(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number | undefined {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,15}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}
