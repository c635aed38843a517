import { isLoopbackHost } from "../console/console-auth.js";
import type { Emulator } from "../emulator/start-emulator.js";

/**
 * What the emulator commands print once it is listening. The auth token is printed in
 * full on purpose: it is the emulator's own local fake, needed to point an SDK at it.
 */
export function emulatorBanner(
  emulator: Emulator,
  webhookUrl: string | undefined,
  statePath?: string,
): string {
  const exposed = !isLoopbackHost(new URL(emulator.url).hostname);
  const lines = [
    ...(exposed
      ? [
          "",
          "!!! WARNING: the emulator listens beyond this machine. Its credentials are fixed and",
          "!!! public and its control API has none: anyone who can reach this port can read every",
          "!!! conversation and act as any customer. Bind it to 127.0.0.1 unless you mean this.",
          "",
        ]
      : []),
    "switchboard emulator (a local fake of Twilio Conversations)",
    `  URL              ${emulator.url}`,
    `  Account SID      ${emulator.accountSid}`,
    `  Auth token       ${emulator.authToken}  (local fake, not a Twilio credential)`,
    `  Service SID      ${emulator.serviceSid}`,
    `  SMS number       ${emulator.numbers.sms}`,
    `  WhatsApp number  ${emulator.numbers.whatsapp}`,
    `  Inspector        ${emulator.inspectorUrl}`,
    `  Webhooks         ${webhookUrl ?? "none (pass --webhook-url)"}`,
    `  State            ${statePath ?? "in memory (pass --state PATH to keep it)"}`,
    "",
    `Send a customer message: curl -X POST ${emulator.url}/_emulator/inbound -H 'content-type: application/json' -d '{"channel":"sms","from":"+15551230001","body":"hello"}'`,
    "Press Ctrl+C to stop.",
    "",
  ];
  return lines.join("\n");
}
