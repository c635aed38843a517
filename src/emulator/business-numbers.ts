import { seededSid } from "./sid.js";
import type { EmulatorStore } from "./store/emulator-store.js";

/** The emulator's own addresses, each with auto-creation into the default service. */
export interface BusinessNumbers {
  /** The SMS number, e.g. `+15017122661`. */
  sms: string;
  /** The WhatsApp sender, e.g. `whatsapp:+14155238886`. */
  whatsapp: string;
}

/** Twilio's documentation numbers: an SMS long code and the WhatsApp sandbox sender. */
export const defaultBusinessNumbers: BusinessNumbers = {
  sms: "+15017122661",
  whatsapp: "whatsapp:+14155238886",
};

/**
 * Gives each business number an address configuration that auto-creates conversations in
 * the default service, as a Twilio console setup would. Idempotent; called again after a
 * reset (which clears address configurations) and after a restore from a state file
 * (which keeps the saved configuration, changes made over REST included).
 */
export function installBusinessNumbers(store: EmulatorStore, numbers: BusinessNumbers): void {
  const now = store.clock.now();
  for (const [type, address] of [
    ["sms", numbers.sms],
    ["whatsapp", numbers.whatsapp],
  ] as const) {
    const sid = seededSid("IG", `${store.accountSid}:${address}`);
    if (store.addresses.has(sid)) continue;
    store.addresses.set(sid, {
      sid,
      type,
      address,
      friendlyName: `Emulator ${type === "sms" ? "SMS number" : "WhatsApp sender"}`,
      autoCreation: {
        enabled: true,
        type: "default",
        conversation_service_sid: store.defaultServiceSid,
        webhook_url: null,
        webhook_method: null,
        webhook_filters: [],
        studio_flow_sid: null,
        studio_retry_count: null,
      },
      addressCountry: null,
      dateCreated: now,
      dateUpdated: now,
    });
  }
}
