import type { WebchatCustomerConfig } from "../config/switchboard-config.js";
import { ConfigError } from "../errors.js";
import type { Switchboard } from "../runtime/create-switchboard.js";
import {
  createOutboxTextSender,
  type OutboxTextProvider,
} from "../webchat/adapter/outbox-text-sender.js";
import {
  createPhoneVerification,
  type VerificationChannel,
} from "../webchat/phone-verification.js";
import { createSignedIdentityVerifier } from "../webchat/signed-identity.js";
import type { WebchatCustomerOptions } from "../webchat/webchat-customer-routes.js";

/** The environment variable holding the secret applications sign visitor identities with. */
export const identitySecretVariable = "SWITCHBOARD_WEBCHAT_IDENTITY_SECRET";

/**
 * The web chat's customer features for a service: verification by a code through the outbox,
 * "continue on WhatsApp / by SMS", and signed identities when `SWITCHBOARD_WEBCHAT_IDENTITY_SECRET`
 * is set. Misconfiguration is refused here, at start, naming the option.
 */
export function webchatCustomerOptions(input: {
  switchboard: Switchboard;
  provider: OutboxTextProvider;
  secret: string | Uint8Array;
  config: WebchatCustomerConfig | undefined;
  environment: Readonly<Record<string, string | undefined>>;
}): WebchatCustomerOptions {
  const config = input.config ?? {};
  const { switchboard } = input;
  for (const [option, value] of [
    ["webchat.smsNumber", config.smsNumber],
    ["webchat.whatsappNumber", config.whatsappNumber],
  ] as const) {
    if (value !== undefined && !/^\+[1-9]\d{6,14}$/.test(value))
      throw new ConfigError(option, `${option} must be an E.164 number like +15017122661.`);
  }
  const sendText = createOutboxTextSender({
    mailbox: switchboard.mailbox,
    customers: switchboard.customers,
    provider: input.provider,
    businessNumbers: {
      sms: config.smsNumber,
      whatsapp:
        config.whatsappNumber === undefined ? undefined : `whatsapp:${config.whatsappNumber}`,
    },
  });
  const verify = config.verify === false ? undefined : (config.verify ?? {});
  const template = verify?.whatsappTemplate;
  const available: VerificationChannel[] = [
    ...(config.smsNumber === undefined ? [] : (["sms"] as const)),
    ...(config.whatsappNumber === undefined || template === undefined
      ? []
      : (["whatsapp"] as const)),
  ];
  const channels = verify?.channels ?? available;
  for (const channel of channels) {
    if (!available.includes(channel))
      throw new ConfigError(
        "webchat.verify.channels",
        channel === "whatsapp"
          ? "webchat.verify.channels names whatsapp: set webchat.whatsappNumber and webchat.verify.whatsappTemplate (WhatsApp refuses free text to a number that has not written in 24 hours)."
          : "webchat.verify.channels names sms, but webchat.smsNumber is not set.",
      );
  }
  const identitySecret = input.environment[identitySecretVariable];
  if (
    identitySecret !== undefined &&
    identitySecret !== "" &&
    Buffer.byteLength(identitySecret) < 32
  )
    throw new ConfigError(
      identitySecretVariable,
      `${identitySecretVariable} must be at least 32 bytes; generate one with \`openssl rand -hex 32\` and give the same value to your application.`,
    );
  return {
    ...(verify === undefined || channels.length === 0
      ? {}
      : {
          verification: createPhoneVerification(
            {
              sendCode: (address, message, key) =>
                address.kind === "whatsapp" && template !== undefined
                  ? sendText(
                      address,
                      {
                        template: {
                          contentSid: template.contentSid,
                          variables: { [template.variable ?? "1"]: message.code },
                        },
                      },
                      key,
                    )
                  : sendText(address, message.text, key),
              linkVerified: async (identity, address) => {
                await switchboard.customers.link({ kind: "chat", value: identity }, address, {
                  source: "verified",
                });
              },
            },
            {
              secret: input.secret,
              channels,
              ...(verify.codeTtlMs === undefined ? {} : { codeTtlMs: verify.codeTtlMs }),
              ...(verify.maxAttempts === undefined ? {} : { maxAttempts: verify.maxAttempts }),
              ...(verify.senderName === undefined ? {} : { senderName: verify.senderName }),
              ...(verify.countries === undefined ? {} : { countries: verify.countries }),
            },
          ),
        }),
    ...(config.whatsappNumber === undefined ? {} : { whatsappNumber: config.whatsappNumber }),
    ...(config.smsNumber === undefined
      ? {}
      : {
          continueBySms: {
            sendText,
            verifiedNumber: async (identity: string) => {
              const customer = await switchboard.customers.byAddress({
                kind: "chat",
                value: identity,
              });
              return (
                customer?.addresses.find(
                  (address) => address.kind === "sms" && address.source === "verified",
                )?.value ?? null
              );
            },
          },
        }),
    ...(identitySecret === undefined || identitySecret === ""
      ? {}
      : {
          signedIdentity: {
            verifier: createSignedIdentityVerifier({ secret: identitySecret }),
            link: async (visitorIdentity: string, appId: string) => {
              await switchboard.customers.link(
                { kind: "app", value: appId },
                { kind: "chat", value: visitorIdentity },
                { source: "application" },
              );
            },
          },
        }),
  };
}
