import type { RestJson } from "../inspector-state.js";

export type Channel = "sms" | "whatsapp" | "chat";

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** A REST field as text ("" for null or undefined). */
export function text(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}

/** A REST field as a list (`[]` for anything else). */
export function list<T = unknown>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** An http(s) or same-origin URL to link, or `null` (javascript:, data: stay text). */
export function safeUrl(raw: unknown, base: string): string | null {
  if (typeof raw !== "string" || raw === "") return null;
  try {
    const url = new URL(raw, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** A time of day with seconds (24 h); the raw text when it is not a date. */
export function time(value: unknown): string {
  if (!value) return "";
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) return text(value);
  return date.toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
}

interface Binding {
  type?: unknown;
  address?: unknown;
  proxy_address?: unknown;
}

/** A participant's `messaging_binding` (an object, or JSON text), or `null` for chat. */
export function binding(participant: RestJson): Binding | null {
  let value: unknown = participant.messaging_binding;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      value = null;
    }
  }
  return value && typeof value === "object" ? (value as Binding) : null;
}

export function addressChannel(address: unknown): Channel {
  const value = text(address);
  if (value.startsWith("whatsapp:")) return "whatsapp";
  if (value.startsWith("+") || value.startsWith("sms:")) return "sms";
  return "chat";
}

export function participantChannel(participant: RestJson): Channel {
  const found = binding(participant);
  if (!found) return "chat";
  if (text(found.type) === "whatsapp") return "whatsapp";
  if (text(found.type) === "sms") return "sms";
  return addressChannel(found.address || found.proxy_address);
}

export function participantName(participant: RestJson): string {
  const found = binding(participant);
  if (participant.identity) return text(participant.identity);
  if (found?.address) return text(found.address);
  return text(participant.sid);
}

/**
 * A message's delivery summary holds "all" | "some" | "none" per status: the furthest
 * status any recipient reached, failures first; `null` when there is nothing to show.
 */
export function deliveryStatus(delivery: unknown): { label: string; failed: boolean } | null {
  if (!delivery || typeof delivery !== "object") return null;
  const summary = delivery as Record<string, unknown>;
  const reached = (name: string) => Boolean(summary[name]) && summary[name] !== "none";
  if (reached("failed")) return { label: "failed", failed: true };
  if (reached("undelivered")) return { label: "undelivered", failed: true };
  for (const name of ["read", "delivered", "sent"]) {
    if (reached(name)) return { label: name, failed: false };
  }
  return null;
}

/** "850 ms", "1.2 s"; "" for a non-number. */
export function duration(ms: unknown): string {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "";
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** How a webhook answer is coloured: ok (2xx), warn (other answers), bad (none or 5xx). */
export function statusClass(status: unknown): "ok" | "warn" | "bad" {
  if (typeof status !== "number") return "bad";
  if (status >= 200 && status < 300) return "ok";
  if (status < 500) return "warn";
  return "bad";
}
