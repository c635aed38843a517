import { errorCode, errorText, type WidgetCall } from "./widget-api.js";

/** What `GET /webchat/continue` answers: which ways onward the server offers. */
interface ContinueOptions {
  reference: string;
  whatsapp: { url: string } | null;
  sms: { number: string } | null;
  canVerify: boolean;
}

/**
 * The strip above the composer: "Verify your phone" (a number, then the code it receives),
 * "Continue on WhatsApp" (a wa.me link carrying the chat's reference) and "Continue by SMS"
 * (a text to the verified number). Each appears only when the server offers it. Every text
 * goes in through `textContent`; the one link is the server's `https://wa.me/` URL.
 */
export class CustomerTray {
  readonly element: HTMLDivElement;
  readonly #call: WidgetCall;
  readonly #token: () => string | null;
  readonly #say: (text: string, kind: "info" | "error") => void;
  readonly #clear: () => void;
  #challenge: string | null = null;

  constructor(options: {
    call: WidgetCall;
    token: () => string | null;
    say: (text: string, kind: "info" | "error") => void;
    /** Takes away what `say` showed (a stale error once the visitor tries again). */
    clear: () => void;
  }) {
    this.#call = options.call;
    this.#token = options.token;
    this.#say = options.say;
    this.#clear = options.clear;
    this.element = document.createElement("div");
    this.element.className = "tray";
    this.element.hidden = true;
  }

  /** Asks the server what is offered now (after the session starts, after a verification). */
  async refresh(): Promise<void> {
    const answer = await this.#call<ContinueOptions>(
      "GET",
      "/webchat/continue",
      undefined,
      this.#token(),
    );
    if (answer.status !== 200 || answer.data === null) {
      this.element.hidden = true;
      return;
    }
    this.#render(answer.data);
  }

  #render(options: ContinueOptions): void {
    const tray = this.element;
    tray.replaceChildren();
    const row = document.createElement("div");
    row.className = "tray-row";
    if (options.sms !== null) {
      const verified = document.createElement("span");
      verified.className = "verified";
      verified.textContent = `\u2713 ${options.sms.number}`;
      row.append(verified);
      row.append(
        this.#button("Continue by SMS", async (button) => {
          button.disabled = true;
          const answer = await this.#call("POST", "/webchat/continue/sms", {}, this.#token());
          button.disabled = false;
          if (answer.status === 202)
            this.#say(`We texted ${options.sms?.number}; reply there to keep going.`, "info");
          else this.#say(errorText(answer.data, "The text could not be sent."), "error");
        }),
      );
    } else if (options.canVerify) {
      row.append(this.#button("Verify your phone", () => this.#showPhoneForm()));
    }
    const whatsappUrl = options.whatsapp?.url;
    if (whatsappUrl?.startsWith("https://wa.me/")) {
      const link = document.createElement("a");
      link.className = "tray-button";
      link.href = whatsappUrl;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = "Continue on WhatsApp";
      row.append(link);
    }
    tray.append(row);
    tray.hidden = row.childElementCount === 0;
  }

  #button(label: string, run: (button: HTMLButtonElement) => unknown): HTMLButtonElement {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "tray-button";
    button.textContent = label;
    button.addEventListener("click", () => {
      Promise.resolve(run(button)).catch(() =>
        this.#say("You seem to be offline; try again.", "error"),
      );
    });
    return button;
  }

  #form(label: string, input: HTMLInputElement, submit: string, onSubmit: () => Promise<void>) {
    const form = document.createElement("form");
    form.className = "tray-form";
    const caption = document.createElement("label");
    caption.textContent = label;
    caption.append(input);
    const button = document.createElement("button");
    button.type = "submit";
    button.className = "tray-button primary";
    button.textContent = submit;
    const cancel = this.#button("Cancel", () => void this.refresh());
    form.append(caption, button, cancel);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      button.disabled = true;
      onSubmit()
        .catch(() => this.#say("You seem to be offline; try again.", "error"))
        .finally(() => {
          button.disabled = false;
        });
    });
    this.element.replaceChildren(form);
    this.element.hidden = false;
    input.focus();
  }

  #invalid(input: HTMLInputElement, problem: string): void {
    input.setAttribute("aria-invalid", "true");
    this.#say(problem, "error");
    input.focus();
  }

  #showPhoneForm(): void {
    const phone = document.createElement("input");
    phone.type = "tel";
    phone.name = "phone";
    phone.autocomplete = "tel";
    phone.placeholder = "+1 555 123 0001";
    phone.maxLength = 40;
    this.#form("Your phone number", phone, "Send code", async () => {
      // Checked here first: no round trip, and words for a person, not for a developer.
      const number = compactPhone(phone.value);
      const problem = phoneProblem(number);
      if (problem !== null) {
        this.#invalid(phone, problem);
        return;
      }
      phone.removeAttribute("aria-invalid");
      this.#clear();
      const answer = await this.#call<{ challenge: string }>(
        "POST",
        "/webchat/verify",
        { phone: number },
        this.#token(),
      );
      if (answer.status === 202 && answer.data !== null) {
        this.#challenge = answer.data.challenge;
        this.#showCodeForm();
        this.#say(`Code sent to ${maskPhone(number)}.`, "info");
      } else {
        this.#say(verifyErrorText(answer.data, "We could not send a code."), "error");
      }
    });
  }

  #showCodeForm(): void {
    const code = document.createElement("input");
    code.name = "code";
    code.inputMode = "numeric";
    code.autocomplete = "one-time-code";
    code.placeholder = "123456";
    code.maxLength = 6;
    this.#form("The code we sent you", code, "Verify", async () => {
      if (!/^\d{6}$/.test(code.value.trim())) {
        this.#invalid(code, "Enter the six-digit code from the text we sent you.");
        return;
      }
      code.removeAttribute("aria-invalid");
      this.#clear();
      const answer = await this.#call<{ number: string }>(
        "POST",
        "/webchat/verify/confirm",
        { challenge: this.#challenge, code: code.value.trim() },
        this.#token(),
      );
      if (answer.status === 200 && answer.data !== null) {
        this.#challenge = null;
        this.#say(`Verified: ${answer.data.number}.`, "info");
        await this.refresh();
      } else {
        this.#say(verifyErrorText(answer.data, "That code did not work."), "error");
        if (answer.status === 410) await this.refresh();
      }
    });
  }
}

/** A number as typed, without the spaces, dashes, dots and brackets people write in it. */
export function compactPhone(typed: string): string {
  return typed.trim().replace(/[\s().-]/g, "");
}

/** Why a compacted number cannot be sent a code (E.164: + and 8 to 15 digits), or null. */
export function phoneProblem(number: string): string | null {
  if (number === "") return "Enter your phone number, starting with + and your country code.";
  if (/^\+[1-9]\d{7,14}$/.test(number)) return null;
  if (/^\d+$/.test(number)) return "Add your country code with a + in front, like +1 555 123 0001.";
  return "That doesn't look like a phone number. Use + and your country code, like +1 555 123 0001.";
}

/** `+15551230001` → `+1555***0001`: the shape the server uses, enough to spot a typo. */
export function maskPhone(number: string): string {
  return number.length >= 10 ? `${number.slice(0, 5)}***${number.slice(-4)}` : number;
}

/** The server's refusal in the visitor's words where its own message is meant for developers. */
function verifyErrorText(data: unknown, fallback: string): string {
  switch (errorCode(data)) {
    case "invalid_phone":
      return "That doesn't look like a phone number. Use + and your country code, like +1 555 123 0001.";
    case "invalid_code":
      return "Enter the six-digit code from the text we sent you.";
    case "invalid_challenge":
      return "That code request is no longer valid; ask for a new code.";
    case "invalid_channel":
      return "We cannot send codes that way.";
    default:
      return errorText(data, fallback);
  }
}
