import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRequest, EmulatorRoute } from "../http/types.js";
import { isSid, newSid } from "../sid.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type { CredentialRecord, CredentialType } from "../store/records.js";
import { FormFields } from "./form-fields.js";
import { pageSizes, paginate } from "./paginate.js";
import { conversationsBase } from "./serialize.js";
import { restDate } from "./twilio-date.js";

const credentialTypes = ["apn", "gcm", "fcm"] as const satisfies readonly CredentialType[];

export function credentialJson(store: EmulatorStore, credential: CredentialRecord) {
  return {
    sid: credential.sid,
    account_sid: store.accountSid,
    friendly_name: credential.friendlyName,
    type: credential.type,
    // Twilio prints the flag as a string (its example shows "False"); null when not APN.
    sandbox: credential.sandbox === null ? null : credential.sandbox ? "True" : "False",
    date_created: restDate(credential.dateCreated),
    date_updated: restDate(credential.dateUpdated),
    url: `${conversationsBase}/Credentials/${credential.sid}`,
  };
}

/**
 * Push credentials (`CR…`): account-wide, no service form. The certificate, private key,
 * API key and secret are accepted and dropped — Twilio never returns them, and the emulator
 * sends no push notifications.
 */
export function credentialRoutes(store: EmulatorStore): EmulatorRoute[] {
  const find = (request: EmulatorRequest) => {
    const sid = request.params.credentialSid!;
    const credential = isSid(sid, "CR") ? store.credentials.get(sid) : undefined;
    if (!credential) throw twilioErrors.notFound(`/Credentials/${sid}`);
    return credential;
  };
  const apply = (fields: FormFields, credential: CredentialRecord) => {
    const friendlyName = fields.string("FriendlyName");
    if (friendlyName !== undefined) credential.friendlyName = friendlyName;
    const sandbox = fields.boolean("Sandbox");
    if (sandbox !== undefined) credential.sandbox = sandbox;
    credential.dateUpdated = store.clock.now();
  };
  return [
    {
      method: "POST",
      pattern: "/v1/Credentials",
      handler: (request) => {
        const fields = new FormFields(request.form);
        fields.required("Type");
        const type = fields.oneOf("Type", credentialTypes)!;
        const now = store.clock.now();
        const credential: CredentialRecord = {
          sid: newSid("CR"),
          friendlyName: null,
          type,
          sandbox: type === "apn" ? false : null,
          dateCreated: now,
          dateUpdated: now,
        };
        apply(fields, credential);
        store.credentials.set(credential.sid, credential);
        return { status: 201, body: credentialJson(store, credential) };
      },
    },
    {
      method: "GET",
      pattern: "/v1/Credentials",
      handler: (request) =>
        paginate(
          request,
          `${conversationsBase}/Credentials`,
          "credentials",
          [...store.credentials.values()],
          (credential) => credentialJson(store, credential),
          pageSizes.standard,
        ),
    },
    {
      method: "GET",
      pattern: "/v1/Credentials/:credentialSid",
      handler: (request) => ({ status: 200, body: credentialJson(store, find(request)) }),
    },
    {
      method: "POST",
      pattern: "/v1/Credentials/:credentialSid",
      handler: (request) => {
        const credential = find(request);
        const fields = new FormFields(request.form);
        const type = fields.oneOf("Type", credentialTypes);
        if (type !== undefined && type !== credential.type)
          throw twilioErrors.invalidParameter("Type", "a credential's type cannot change");
        apply(fields, credential);
        return { status: 200, body: credentialJson(store, credential) };
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/Credentials/:credentialSid",
      handler: (request) => {
        store.credentials.delete(find(request).sid);
        return { status: 204 };
      },
    },
  ];
}
