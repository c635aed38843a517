import { ConfigError } from "../errors.js";
import { customerLimits } from "../mailbox/mailbox-customers.js";

/** The `customers` option of `createSwitchboard`. */
export interface SwitchboardCustomerOptions {
  /**
   * Link the SMS and WhatsApp addresses of one phone number to one customer automatically
   * (default true): the first message from `whatsapp:+15551230001` joins the customer who
   * texted from `+15551230001`, and the other way round, so the agent remembers them across
   * both. WhatsApp accounts are registered to a phone number by a code sent to it, so both
   * addresses reach the same handset. `false` keeps them apart unless the application links
   * them (`switchboard.customers.link`).
   */
  linkSameNumber?: boolean;
  /**
   * At most this many recent messages from the customer's other conversations (other
   * channels) are added to the agent's history, labelled with their channel and time.
   * Default 10; 0 leaves other channels out. At most 200.
   */
  historyLimit?: number;
}

/** The `customers` option, resolved. */
export interface CustomerSettings {
  linkSameNumber: boolean;
  historyLimit: number;
}

/** Checks the `customers` option once, at construction; mistakes name the option. */
export function resolveCustomerOptions(
  given: SwitchboardCustomerOptions | undefined,
): CustomerSettings {
  if (given !== undefined && (typeof given !== "object" || given === null))
    throw new ConfigError(
      "customers",
      "customers must be an object: { linkSameNumber, historyLimit }.",
    );
  const linkSameNumber = given?.linkSameNumber ?? true;
  if (typeof linkSameNumber !== "boolean")
    throw new ConfigError(
      "customers.linkSameNumber",
      "customers.linkSameNumber must be true or false (link SMS and WhatsApp of one number).",
    );
  const historyLimit = given?.historyLimit ?? 10;
  if (
    !Number.isSafeInteger(historyLimit) ||
    historyLimit < 0 ||
    historyLimit > customerLimits.historyMax
  )
    throw new ConfigError(
      "customers.historyLimit",
      `customers.historyLimit must be a whole number from 0 to ${customerLimits.historyMax}; got ${historyLimit}.`,
    );
  return { linkSameNumber, historyLimit };
}
