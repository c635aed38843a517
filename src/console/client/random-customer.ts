import type { ConsoleChannel } from "../console-deps.js";

function randomDigits(count: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(count)), (value) => value % 10).join("");
}

/** A made-up customer address for `channel`: a 555 number, or a visitor identity. */
export function randomCustomer(channel: ConsoleChannel): string {
  if (channel === "chat") {
    const bytes = crypto.getRandomValues(new Uint8Array(4));
    return `visitor-${Array.from(bytes, (value) => value.toString(16).padStart(2, "0")).join("")}`;
  }
  const phone = `+1555${randomDigits(7)}`;
  return channel === "whatsapp" ? `whatsapp:${phone}` : phone;
}
