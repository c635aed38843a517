import type { IncomingMessage, ServerResponse } from "node:http";
import {
  asObject,
  type FaceLogger,
  methodNotAllowed,
  readJsonBody,
  sendJson,
} from "../http/json-http.js";
import { RequestError } from "../http/request-error.js";
import { maskPersonalAddress } from "../log/mask-phone-numbers.js";

/** An address of a customer (the console's view of the mailbox's `CustomerAddress`). */
export interface ConsoleCustomerAddress {
  kind: "sms" | "whatsapp" | "chat" | "app";
  value: string;
}

/** A customer as the console reads it (a structural subset of `CustomerRecord`). */
export interface ConsoleCustomerRecord {
  customerId: string;
  createdAt: number;
  addresses: readonly (ConsoleCustomerAddress & { source: string })[];
  handoff: { conversationSid: string } | null;
}

/**
 * The part of `switchboard.customers` the console reads and changes, named structurally so
 * the face stays free of the runtime (`switchboard.customers` fits as it is).
 */
export interface ConsoleCustomers {
  list(options: {
    limit?: number;
    search?: string;
  }): Promise<(ConsoleCustomerRecord & { lastActivityAt: number })[]>;
  get(customerId: string): Promise<ConsoleCustomerRecord | null>;
  conversations(
    customerId: string,
    options: { limit?: number },
  ): Promise<
    {
      conversationSid: string;
      channel: string | null;
      customerAddress: string | null;
      state: string;
    }[]
  >;
  history(
    customerId: string,
    options: { limit?: number },
  ): Promise<
    {
      conversationSid: string;
      channel: string | null;
      at: number;
      entry:
        | { direction: "inbound"; role: string; body: string | null }
        | {
            direction: "outbound";
            body: string | null;
            status: string;
            attributes: Readonly<Record<string, unknown>>;
          };
    }[]
  >;
  unlink(address: ConsoleCustomerAddress): Promise<ConsoleCustomerRecord | null>;
  delete(customerId: string): Promise<{
    customerId: string;
    addresses: number;
    conversations: number;
    messages: number;
    consent: number;
  } | null>;
}

/** The console's customer paths. */
export const consoleCustomerPaths = {
  list: "/api/customers",
  /** `/api/customers/:id`, `…/:id/unlink` (after `/api/customers/send`). */
  one: /^\/api\/customers\/([^/]+)(?:\/(unlink))?$/,
} as const;

const customerIdPattern = /^cu_[0-9a-f]{32}$/;
/** Outbox texts of the web chat's customer features, by their attribute (the runtime's
 * `customerTextAttribute`; named here so the face stays free of the runtime). */
const verificationText = "verify";

/** One address as the console shows it: personal addresses masked. */
function shownAddress(address: { kind: string; value: string; source?: string }) {
  return {
    kind: address.kind,
    address: maskPersonalAddress(address.value),
    ...(address.source === undefined ? {} : { source: address.source }),
  };
}

function shownCustomer(customer: ConsoleCustomerRecord & { lastActivityAt?: number }) {
  return {
    customerId: customer.customerId,
    createdAt: customer.createdAt,
    ...(customer.lastActivityAt === undefined ? {} : { lastActivityAt: customer.lastActivityAt }),
    channels: [...new Set(customer.addresses.map((address) => address.kind))],
    addresses: customer.addresses.map(shownAddress),
    heldBy: customer.handoff?.conversationSid ?? null,
  };
}

/**
 * The console's customer view, behind the console token like every `/api` route:
 *
 * - `GET /api/customers?search=` — one row per customer with channel badges, most
 *   recently active first; `search` is a number, identity or customer id (≤ 100 chars).
 * - `GET /api/customers/:id` — the customer, its conversations and one merged transcript
 *   in time order, each message with the channel and conversation it came from.
 * - `POST /api/customers/:id/unlink` `{ kind, address }` — separates one address (named
 *   as the console shows it, masked) into a customer of its own.
 * - `DELETE /api/customers/:id` — erases the customer: addresses, conversations,
 *   messages, consent.
 *
 * Every address leaves masked (`+1555***0001`); web chat and application ids stay whole.
 * Unlink and delete are logged at info level with masked addresses only.
 */
export function createConsoleCustomerRoutes(customers: ConsoleCustomers, logger: FaceLogger) {
  const customerOf = async (id: string) => {
    if (!customerIdPattern.test(id))
      throw new RequestError(400, "invalid_customer_id", "A customer id is cu_ and 32 hex digits.");
    const customer = await customers.get(id);
    if (customer === null) throw new RequestError(404, "not_found", `No customer ${id}.`);
    return customer;
  };

  return async function handle(
    path: string,
    url: URL,
    request: IncomingMessage,
    response: ServerResponse,
    maxBodyBytes: number,
  ): Promise<boolean> {
    const method = request.method ?? "GET";
    if (path === consoleCustomerPaths.list) {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      const search = url.searchParams.get("search")?.trim() ?? "";
      if (search.length > 100)
        throw new RequestError(400, "invalid_search", "`search` is at most 100 characters.");
      const limit = readLimit(url.searchParams.get("limit"));
      const rows = await customers.list({ limit, ...(search === "" ? {} : { search }) });
      sendJson(response, 200, { customers: rows.map(shownCustomer) });
      return true;
    }
    const match = consoleCustomerPaths.one.exec(path);
    if (match === null) return false;
    const id = match[1] ?? "";
    if (match[2] === "unlink") {
      if (method !== "POST") throw methodNotAllowed(["POST"]);
      const customer = await customerOf(id);
      const body = asObject(await readJsonBody(request, maxBodyBytes));
      if (typeof body.kind !== "string" || typeof body.address !== "string")
        throw new RequestError(
          400,
          "invalid_address",
          "`kind` and `address` (as the console shows it) are required.",
        );
      const matches = customer.addresses.filter(
        (address) =>
          address.kind === body.kind && maskPersonalAddress(address.value) === body.address,
      );
      if (matches.length !== 1)
        throw new RequestError(
          matches.length === 0 ? 404 : 409,
          matches.length === 0 ? "not_found" : "ambiguous_address",
          matches.length === 0
            ? "The customer has no such address."
            : "Two addresses look alike masked; unlink from the application instead.",
        );
      const address: ConsoleCustomerAddress = { kind: matches[0]!.kind, value: matches[0]!.value };
      const separated = await customers.unlink(address);
      (logger.info ?? logger.warn)(
        {
          customerId: id,
          kind: address.kind,
          address: maskPersonalAddress(address.value),
          newCustomerId: separated?.customerId,
        },
        "operator unlinked a customer address",
      );
      sendJson(response, 200, {
        unlinked: shownAddress(address),
        customer: separated === null ? null : shownCustomer(separated),
      });
      return true;
    }
    if (method === "DELETE") {
      if (!customerIdPattern.test(id))
        throw new RequestError(
          400,
          "invalid_customer_id",
          "A customer id is cu_ and 32 hex digits.",
        );
      request.resume();
      const deleted = await customers.delete(id);
      if (deleted === null) throw new RequestError(404, "not_found", `No customer ${id}.`);
      (logger.info ?? logger.warn)({ ...deleted }, "operator deleted a customer");
      sendJson(response, 200, { deleted });
      return true;
    }
    if (method !== "GET") throw methodNotAllowed(["GET", "DELETE"]);
    const customer = await customerOf(id);
    const [conversations, history] = await Promise.all([
      customers.conversations(id, { limit: 50 }),
      customers.history(id, { limit: 200 }),
    ]);
    sendJson(response, 200, {
      customer: shownCustomer(customer),
      conversations: conversations.map((conversation) => ({
        conversationSid: conversation.conversationSid,
        channel: conversation.channel,
        address:
          conversation.customerAddress === null
            ? null
            : maskPersonalAddress(conversation.customerAddress),
        state: conversation.state,
      })),
      messages: history.map(({ conversationSid, channel, at, entry }) => ({
        conversationSid,
        channel,
        at,
        direction: entry.direction,
        role: entry.direction === "inbound" ? entry.role : "agent",
        // A verification code never reaches an operator's screen.
        body:
          entry.direction === "outbound" &&
          entry.attributes.switchboardCustomerText === verificationText
            ? "[verification code sent]"
            : entry.body,
        ...(entry.direction === "outbound" ? { status: entry.status } : {}),
      })),
    });
    return true;
  };
}

function readLimit(value: string | null): number {
  if (value === null || value === "") return 50;
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 500)
    throw new RequestError(400, "invalid_limit", "`limit` is 1 to 500.");
  return Number(value);
}
