/**
 * Leaf shared by agents, the Twilio channel rules and the runtime: what a reply may offer
 * (choices) and what a channel can carry (capabilities).
 */

export { type Channel, channels, isChannel } from "./channel.js";
export {
  type ChannelCapabilities,
  defaultChannelCapabilities,
  describeChannelCapabilities,
} from "./channel-capabilities.js";
export type {
  CardAction,
  Choice,
  ChoiceCard,
  ChoiceList,
  Choices,
  QuickReplies,
} from "./choices.js";
