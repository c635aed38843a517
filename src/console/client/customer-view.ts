import type { ApiCall } from "./api-client.js";
import { el } from "./dom.js";
import { messageTime } from "./time-format.js";

const formatClock = (at: number) => messageTime(new Date(at).toISOString());

/** A customer row as `GET /api/customers` answers (addresses already masked). */
interface CustomerRow {
  customerId: string;
  lastActivityAt?: number;
  channels: string[];
  addresses: { kind: string; address: string; source?: string }[];
  heldBy: string | null;
}

interface CustomerDetail {
  customer: CustomerRow;
  conversations: { conversationSid: string; channel: string | null; address: string | null }[];
  messages: {
    conversationSid: string;
    channel: string | null;
    at: number;
    role: string;
    body: string | null;
    direction: "inbound" | "outbound";
  }[];
}

const channelNames: Record<string, string> = {
  sms: "SMS",
  whatsapp: "WhatsApp",
  chat: "Web chat",
  app: "App",
};
const routePattern = /^#\/customers(?:\/(cu_[0-9a-f]{32}))?$/;

function badge(kind: string): HTMLSpanElement {
  return el(
    "span",
    `badge badge-${kind in channelNames ? kind : "other"}`,
    channelNames[kind] ?? kind,
  );
}

/**
 * The customers view (`#/customers`, `#/customers/cu_…`): one row per customer with channel
 * badges and search by number or identity; one customer's merged transcript in time order,
 * each message with the channel it came from; unlink an address and delete the customer,
 * each behind a second click that says what it will do. Addresses arrive masked.
 */
export function createCustomerView(options: { api: ApiCall }) {
  const { api } = options;
  const open = el("button", "button customers-open", "Customers");
  open.type = "button";
  document.querySelector(".top-right")?.prepend(open);

  const view = el("section", "customers-view");
  view.setAttribute("aria-label", "Customers");
  view.hidden = true;
  const head = el("header", "customers-head");
  const title = el("h2", undefined, "Customers");
  const search = el("input");
  search.type = "search";
  search.name = "customer-search";
  search.placeholder = "Search by number, identity or customer id";
  search.setAttribute("aria-label", "Search customers");
  search.maxLength = 100;
  const close = el("button", "button", "Close");
  close.type = "button";
  head.append(title, search, close);
  const list = el("ul", "customer-list");
  const detail = el("div", "customer-detail");
  const body = el("div", "customers-body");
  body.append(list, detail);
  const status = el("p", "status-line error");
  status.setAttribute("role", "status");
  view.append(head, status, body);
  const onError = (message: string) => {
    status.textContent = message;
  };
  document.body.append(view);

  let selected: string | null = null;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  const route = () => {
    const match = routePattern.exec(location.hash);
    view.hidden = match === null;
    document.body.classList.toggle("customers-shown", match !== null);
    if (match === null) return;
    selected = match[1] ?? null;
    view.classList.toggle("has-selection", selected !== null);
    void loadList();
    if (selected !== null) void loadDetail(selected);
    else detail.replaceChildren(el("p", "empty", "Pick a customer to see their conversations."));
  };
  open.addEventListener("click", () => {
    location.hash = "#/customers";
  });
  close.addEventListener("click", () => {
    location.hash = "";
  });
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void loadList(), 200);
  });
  window.addEventListener("hashchange", route);

  async function loadList(): Promise<void> {
    status.textContent = "";
    const query = search.value.trim();
    try {
      const { customers } = await api<{ customers: CustomerRow[] }>(
        "GET",
        `/api/customers${query === "" ? "" : `?search=${encodeURIComponent(query)}`}`,
      );
      list.replaceChildren(
        ...(customers.length === 0 ? [el("li", "empty", "No customers match.")] : []),
        ...customers.map((customer) => {
          const row = el("li", "customer-row");
          row.tabIndex = 0;
          row.setAttribute("role", "button");
          if (customer.customerId === selected) row.classList.add("selected");
          const names = el(
            "div",
            "customer-names",
            customer.addresses.map((address) => address.address).join(" · "),
          );
          const badges = el("div", "badges");
          badges.append(...customer.channels.map(badge));
          const when = el(
            "div",
            "customer-when",
            customer.lastActivityAt === undefined ? "" : formatClock(customer.lastActivityAt),
          );
          row.append(badges, names, when);
          const pick = () => {
            location.hash = `#/customers/${customer.customerId}`;
          };
          row.addEventListener("click", pick);
          row.addEventListener("keydown", (event) => {
            if (event.key === "Enter" || event.key === " ") {
              event.preventDefault();
              pick();
            }
          });
          return row;
        }),
      );
    } catch (error) {
      onError(error instanceof Error ? error.message : String(error));
    }
  }

  async function loadDetail(customerId: string): Promise<void> {
    let data: CustomerDetail;
    try {
      data = await api<CustomerDetail>("GET", `/api/customers/${customerId}`);
    } catch (error) {
      detail.replaceChildren(
        el("p", "empty", error instanceof Error ? error.message : "Not found."),
      );
      return;
    }
    const back = el("button", "button customers-back", "\u2190 All customers");
    back.type = "button";
    back.addEventListener("click", () => {
      location.hash = "#/customers";
    });
    const addresses = el("ul", "customer-addresses");
    addresses.append(
      ...data.customer.addresses.map((address) => {
        const item = el("li");
        item.append(badge(address.kind), el("span", "mono", address.address));
        if (address.source) item.append(el("span", "source", address.source));
        if (data.customer.addresses.length > 1)
          item.append(
            confirmButton("Unlink", `Unlink ${address.address}?`, async () => {
              await api("POST", `/api/customers/${customerId}/unlink`, {
                kind: address.kind,
                address: address.address,
              });
              await loadDetail(customerId);
              await loadList();
            }),
          );
        return item;
      }),
    );
    const transcript = el("ol", "customer-transcript");
    transcript.append(
      ...data.messages.map((message) => {
        const item = el("li", `customer-message ${message.direction} role-${message.role}`);
        const meta = el("div", "meta");
        meta.append(
          badge(message.channel ?? "other"),
          el("span", undefined, `${message.role} · ${formatClock(message.at)}`),
        );
        item.append(meta, el("div", "text", message.body ?? "(no text)"));
        return item;
      }),
    );
    if (data.messages.length === 0) transcript.append(el("li", "empty", "No messages yet."));
    const remove = confirmButton(
      "Delete customer",
      "Delete this customer with all addresses, conversations, messages and consent?",
      async () => {
        await api("DELETE", `/api/customers/${customerId}`);
        location.hash = "#/customers";
      },
    );
    remove.querySelector("button")?.classList.add("danger");
    const actions = el("div", "customer-actions");
    actions.append(remove);
    detail.replaceChildren(back, addresses, actions, transcript);
  }

  /** A button that asks once more, in place, before it runs. */
  function confirmButton(label: string, question: string, run: () => Promise<void>) {
    const holder = el("span", "confirm");
    const first = el("button", "button small", label);
    first.type = "button";
    first.addEventListener("click", () => {
      const ask = el("span", "confirm-ask", question);
      const yes = el("button", "button small danger", "Yes");
      yes.type = "button";
      const no = el("button", "button small", "No");
      no.type = "button";
      no.addEventListener("click", () => holder.replaceChildren(first));
      yes.addEventListener("click", () => {
        yes.disabled = true;
        run().catch((error: unknown) => {
          holder.replaceChildren(first);
          onError(error instanceof Error ? error.message : String(error));
        });
      });
      holder.replaceChildren(ask, yes, no);
      yes.focus();
    });
    holder.append(first);
    return holder;
  }

  route();
}
