/**
 * The shape of choices a reply may offer — quick replies, a list, a card — shared by the
 * agents (who produce them) and the Twilio channel rules (which render, validate and parse
 * them). Types only, in a leaf, so neither boundary imports the other.
 */

/** One option a customer can pick. */
export interface Choice {
  /** Stable identifier handed back when the option is picked (a WhatsApp button's id). */
  id: string;
  /** What the customer sees on the button, list row or numbered line. */
  title: string;
  /** A second line under the title (list rows; appended after the title on SMS). */
  description?: string | undefined;
}

/** A question with a few tap-to-answer buttons. */
export interface QuickReplies {
  type: "quick-replies";
  body: string;
  options: readonly Choice[];
  /**
   * The name of an approved WhatsApp template (`channels.whatsapp.choiceTemplates`) that
   * shows these choices outside the customer's 24-hour window. Other channels ignore it.
   */
  template?: string | undefined;
}

/** A menu of up to ten options with descriptions, opened by one button. */
export interface ChoiceList {
  type: "list";
  body: string;
  /** The label of the button that opens the menu (WhatsApp). */
  button: string;
  options: readonly Choice[];
  /**
   * The name of an approved WhatsApp template (`channels.whatsapp.choiceTemplates`) that
   * shows these choices outside the customer's 24-hour window. Other channels ignore it.
   */
  template?: string | undefined;
}

/** A button on a card: open a link, call a number, or answer like a quick reply. */
export type CardAction =
  | { type: "url"; title: string; url: string }
  | { type: "phone"; title: string; phone: string }
  | { type: "reply"; id: string; title: string };

/** A card: a title, optional subtitle and image, and call-to-action buttons. */
export interface ChoiceCard {
  type: "card";
  title: string;
  subtitle?: string | undefined;
  /** A public image URL shown on the card. */
  mediaUrl?: string | undefined;
  actions: readonly CardAction[];
  /**
   * The name of an approved WhatsApp template (`channels.whatsapp.choiceTemplates`) that
   * shows these choices outside the customer's 24-hour window. Other channels ignore it.
   */
  template?: string | undefined;
}

/** Choices a reply may carry; rendered per channel, answered as a {@link Choice}. */
export type Choices = QuickReplies | ChoiceList | ChoiceCard;
