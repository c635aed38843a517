import type { ConsoleChannel } from "../console-deps.js";
import type { ApiCall } from "./api-client.js";
import { byId } from "./dom.js";
import { randomCustomer } from "./random-customer.js";

export interface CustomerFormOptions {
  api: ApiCall;
  /** Opens the conversation the message landed in (or waits for it to appear). */
  sent(result: { from: string; conversationSid?: string }): void;
}

/** The "Be a customer" form: channel tabs, a made-up address, a message, send. */
export function createCustomerForm(options: CustomerFormOptions): {
  render(): void;
  setEnabled(enabled: boolean): void;
} {
  const form = byId<HTMLFormElement>("customer-form");
  const fromInput = byId<HTMLInputElement>("customer-from");
  const textInput = byId<HTMLTextAreaElement>("customer-text");
  const status = byId("customer-status");
  const sendButton = byId<HTMLButtonElement>("customer-send");
  const froms: Record<ConsoleChannel, string> = {
    sms: randomCustomer("sms"),
    whatsapp: randomCustomer("whatsapp"),
    chat: randomCustomer("chat"),
  };

  const channel = (): ConsoleChannel => {
    const checked = form.querySelector<HTMLInputElement>('input[name="channel"]:checked');
    const value = checked?.value;
    return value === "whatsapp" || value === "chat" ? value : "sms";
  };

  function render(): void {
    const current = channel();
    fromInput.value = froms[current];
    byId("from-label").textContent =
      current === "chat"
        ? "Visitor identity"
        : current === "whatsapp"
          ? "From (your test WhatsApp number)"
          : "From (your test phone number)";
  }

  function setStatus(kind: "" | "ok" | "error", text: string): void {
    status.className = `status-line${kind ? ` ${kind}` : ""}`;
    status.textContent = text;
  }

  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="channel"]')) {
    radio.addEventListener("change", render);
  }
  fromInput.addEventListener("input", () => {
    froms[channel()] = fromInput.value;
  });
  byId("new-customer").addEventListener("click", () => {
    froms[channel()] = randomCustomer(channel());
    render();
  });
  for (const chip of document.querySelectorAll<HTMLButtonElement>("#suggestions .chip")) {
    chip.addEventListener("click", () => {
      textInput.value = chip.textContent ?? "";
      textInput.focus();
    });
  }
  textInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textInput.value.trim();
    if (!text) {
      setStatus("error", "Write a message first.");
      return;
    }
    sendButton.disabled = true;
    setStatus("", "Sending…");
    options
      .api<{ from: string; conversationSid?: string }>("POST", "/api/customers/send", {
        channel: channel(),
        from: fromInput.value.trim(),
        text,
      })
      .then(
        (sent) => {
          textInput.value = "";
          setStatus("ok", "Sent. The agent's answer appears in the transcript.");
          options.sent(sent);
        },
        (error: unknown) => {
          // The text stays in the box, so nothing typed is lost.
          setStatus("error", error instanceof Error ? error.message : String(error));
        },
      )
      .finally(() => {
        sendButton.disabled = false;
      });
  });

  return {
    render,
    setEnabled(enabled) {
      for (const node of form.querySelectorAll<
        HTMLInputElement | HTMLButtonElement | HTMLTextAreaElement
      >("input, textarea, button")) {
        node.disabled = !enabled;
      }
    },
  };
}
