import { createHash } from "node:crypto";
import { seededSid } from "./sid.js";

const seed = "switchboard-emulator";

/** The credentials `startEmulator()` uses unless given: the same on every start. */
export function defaultCredentials(accountSid?: string) {
  const account = accountSid ?? seededSid("AC", `${seed}:account`);
  return {
    accountSid: account,
    authToken: createHash("sha256").update(`${seed}:auth-token`).digest("hex").slice(0, 32),
    serviceSid: seededSid("IS", `${seed}:${account}:default-service`),
  };
}
