import type { DeviceMessage } from "../delivery/channel-delivery.js";
import {
  type CustomerChannel,
  type CustomerInboundContext,
  type CustomerInboundResult,
  type CustomerMedia,
  type CustomerMessage,
  parseCustomerMessage,
  receiveCustomerMessage,
} from "./customer-inbound.js";

/** Who the simulated customer is: `emulator.customer(options)`. */
export interface CustomerOptions {
  /** `sms`, `whatsapp` or `chat`; decides how `address` is read and where replies go. */
  channel: CustomerChannel;
  /** `+15551230001`, `whatsapp:+15551230001` or a chat identity. */
  address: string;
  /** Our address to write to; the channel's default number when absent. */
  to?: string;
}

/** Extras of one `customer.send(text, options)`. */
export interface CustomerSendOptions {
  /** Files sent with the text, uploaded to the media service first (as Twilio does). */
  media?: CustomerMedia[];
  /** Chat only: the conversation to write in (a new one when absent). */
  conversationSid?: string;
}

/** A simulated customer: the programmatic twin of `POST /_emulator/inbound` and the devices route. */
export interface Customer {
  /** The channel given in `CustomerOptions`. */
  readonly channel: CustomerChannel;
  /** The customer's address as the emulator stores it (`whatsapp:` prefixed for WhatsApp). */
  readonly address: string;
  /** Writes to us as this customer; resolves when the message is in a conversation. */
  send(text: string | undefined, options?: CustomerSendOptions): Promise<CustomerInboundResult>;
  /** What this customer's device received so far, oldest first. */
  messages(): DeviceMessage[];
}

export function createCustomer(
  context: CustomerInboundContext,
  options: CustomerOptions,
): Customer {
  // Validate the address once, up front, with the same rules as the HTTP route.
  parseCustomerMessage({ channel: options.channel, from: options.address, body: "address check" });
  return {
    channel: options.channel,
    address: options.address,
    send(text, sendOptions = {}) {
      const message: CustomerMessage = parseCustomerMessage({
        channel: options.channel,
        from: options.address,
        to: options.to,
        body: text,
        media: sendOptions.media,
        conversationSid: sendOptions.conversationSid,
      });
      return receiveCustomerMessage(context, message);
    },
    messages: () => context.delivery.deviceMessages(options.address),
  };
}
