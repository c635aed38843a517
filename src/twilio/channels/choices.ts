import type { Choice, Choices } from "../../channel/choices.js";
import type { Channel } from "./address.js";

// The types live in a leaf so agents can build choices without importing Twilio.
export type {
  CardAction,
  Choice,
  ChoiceCard,
  ChoiceList,
  Choices,
  QuickReplies,
} from "../../channel/choices.js";

/** The options a customer can answer with: the options, or a card's reply buttons. */
export function selectableChoices(choices: Choices): Choice[] {
  if (choices.type !== "card") return [...choices.options];
  return choices.actions.flatMap((action) =>
    action.type === "reply" ? [{ id: action.id, title: action.title }] : [],
  );
}

/**
 * WhatsApp's limits for these messages, as Twilio's Content API documents them
 * (https://www.twilio.com/docs/content/twilio-quick-reply, …/twiliolist-picker,
 * …/twiliocard) and, where Twilio's pages give no number, as Meta documents them for
 * interactive messages (reply button title 20 characters; list button text 20).
 */
export const whatsAppChoiceLimits = Object.freeze({
  /** Body above buttons or a list: 1,024 characters. */
  body: 1024,
  /** Quick replies sent in a session without template approval: at most 3 buttons. */
  sessionQuickReplies: 3,
  /** Quick replies in an approved template: 1–10 buttons (Twilio's current page; an older one said 5). */
  templateQuickReplies: 10,
  /** Button title: 20 characters (Meta's reply-button object). */
  buttonTitle: 20,
  /** List picker: 1–10 items. */
  listItems: 10,
  /** List item title: 24 characters. */
  listItemTitle: 24,
  /** List item description: 72 characters. */
  listItemDescription: 72,
  /** The list's opening button: 20 characters (Meta's interactive list). */
  listButton: 20,
  /** An option id: 200 characters (Twilio's list item id; Meta allows 256 for buttons). */
  id: 200,
  /** Card title: 1,024 characters. */
  cardTitle: 1024,
  /** Card subtitle: 60 characters. */
  cardSubtitle: 60,
  /** Card buttons: at most 10, of which at most 2 open a URL and 1 calls a number. */
  cardActions: 10,
  cardUrlActions: 2,
  cardPhoneActions: 1,
});

/** Any channel: more options than this cannot be rendered as one numbered SMS or a list. */
const maxOptions = 10;

/** One reason a `Choices` value cannot be sent as it is. */
export interface ChoiceProblem {
  /** Where, e.g. `options[2].title`. */
  path: string;
  /** What is wrong, in a sentence that names the limit. */
  message: string;
}

/** Options of {@link validateChoices}. */
export interface ValidateChoicesOptions {
  /** WhatsApp adds its length and count limits to the rules every channel shares. */
  channel: Channel;
  /**
   * WhatsApp: sent inside the 24-hour session without template approval (the default),
   * which allows only 3 quick-reply buttons; `false` for an approved template (10).
   */
  session?: boolean | undefined;
}

/**
 * Checks a `Choices` value before it is rendered or sent, and explains each problem —
 * "options[1].title is 27 characters; WhatsApp allows 20" — instead of letting Twilio or
 * WhatsApp refuse the message later. Every channel requires: at least one option and at
 * most ten; non-empty ids and titles; ids unique; titles unique ignoring case (so a typed
 * answer maps to one option); no title that is a bare number (it would read as another
 * option's number on SMS); no `{{` (the Content API reads it as a variable); http(s) URLs
 * and E.164 phone numbers on cards. An empty array means it can be sent.
 */
export function validateChoices(
  choices: Choices,
  options: ValidateChoicesOptions,
): ChoiceProblem[] {
  const problems: ChoiceProblem[] = [];
  const whatsapp = options.channel === "whatsapp";
  const limits = whatsAppChoiceLimits;
  const problem = (path: string, message: string) => problems.push({ path, message });
  const text = (path: string, value: unknown, limit: number | undefined, required = true) => {
    if (value === undefined && !required) return;
    if (typeof value !== "string" || value.trim() === "") {
      problem(path, `${path} must be non-empty text.`);
      return;
    }
    if (value.includes("{{")) {
      problem(path, `${path} contains "{{", which the Content API would read as a variable.`);
    }
    const length = [...value].length;
    if (whatsapp && limit !== undefined && length > limit) {
      problem(path, `${path} is ${length} characters; WhatsApp allows ${limit}.`);
    }
  };
  const count = (path: string, found: number, most: number, what: string) => {
    if (found > most)
      problem(
        path,
        `${path} has ${found} ${what}; ${whatsapp ? "WhatsApp allows" : "at most"} ${most}.`,
      );
  };

  switch (choices.type) {
    case "quick-replies":
    case "list": {
      const isList = choices.type === "list";
      text("body", choices.body, limits.body);
      if (isList) text("button", choices.button, limits.listButton);
      if (!Array.isArray(choices.options) || choices.options.length === 0) {
        problem("options", "options must hold at least one option.");
        break;
      }
      const most = !whatsapp
        ? maxOptions
        : isList
          ? limits.listItems
          : options.session === false
            ? limits.templateQuickReplies
            : limits.sessionQuickReplies;
      count("options", choices.options.length, most, "options");
      choices.options.forEach((option, position) => {
        const path = `options[${position}]`;
        text(`${path}.id`, option.id, limits.id);
        text(`${path}.title`, option.title, isList ? limits.listItemTitle : limits.buttonTitle);
        if (option.description !== undefined) {
          if (!isList && whatsapp) {
            problem(
              `${path}.description`,
              `${path}.description cannot be shown on WhatsApp quick-reply buttons; use a list.`,
            );
          } else {
            text(`${path}.description`, option.description, limits.listItemDescription, false);
          }
        }
      });
      break;
    }
    case "card": {
      text("title", choices.title, limits.cardTitle);
      text("subtitle", choices.subtitle, limits.cardSubtitle, false);
      if (choices.mediaUrl !== undefined && !isHttpUrl(choices.mediaUrl)) {
        problem("mediaUrl", "mediaUrl must be a public http(s) URL.");
      }
      if (!Array.isArray(choices.actions) || choices.actions.length === 0) {
        problem("actions", "actions must hold at least one button.");
        break;
      }
      count(
        "actions",
        choices.actions.length,
        whatsapp ? limits.cardActions : maxOptions,
        "buttons",
      );
      const urls = choices.actions.filter((action) => action.type === "url").length;
      const phones = choices.actions.filter((action) => action.type === "phone").length;
      if (whatsapp) {
        count("actions", urls, limits.cardUrlActions, "URL buttons");
        count("actions", phones, limits.cardPhoneActions, "phone buttons");
      }
      choices.actions.forEach((action, position) => {
        const path = `actions[${position}]`;
        text(`${path}.title`, action.title, limits.buttonTitle);
        if (action.type === "url" && !isHttpUrl(action.url)) {
          problem(`${path}.url`, `${path}.url must be a public http(s) URL.`);
        } else if (action.type === "phone" && !/^\+[1-9]\d{1,14}$/.test(action.phone)) {
          problem(`${path}.phone`, `${path}.phone must be an E.164 number such as +15551230001.`);
        } else if (action.type === "reply") {
          text(`${path}.id`, action.id, limits.id);
        } else if (
          !["url", "phone", "reply"].includes((action as { type: unknown }).type as string)
        ) {
          problem(`${path}.type`, `${path}.type must be "url", "phone" or "reply".`);
        }
      });
      break;
    }
    default:
      problem("type", `type must be "quick-replies", "list" or "card".`);
      return problems;
  }

  const seenIds = new Map<string, number>();
  const seenTitles = new Map<string, number>();
  const paths = choices.type === "card" ? "actions" : "options";
  const entries: [number, Choice][] =
    choices.type === "card"
      ? choices.actions.flatMap((action, position): [number, Choice][] =>
          action.type === "reply" ? [[position, { id: action.id, title: action.title }]] : [],
        )
      : (Array.isArray(choices.options) ? choices.options : []).map((option, position) => [
          position,
          option,
        ]);
  for (const [position, option] of entries) {
    if (typeof option.id === "string" && option.id !== "") {
      const earlier = seenIds.get(option.id);
      if (earlier !== undefined) {
        problem(
          `${paths}[${position}].id`,
          `${paths}[${position}].id repeats ${paths}[${earlier}].id.`,
        );
      } else seenIds.set(option.id, position);
    }
    if (typeof option.title === "string" && option.title.trim() !== "") {
      const key = option.title.trim().toLowerCase();
      const earlier = seenTitles.get(key);
      if (earlier !== undefined) {
        problem(
          `${paths}[${position}].title`,
          `${paths}[${position}].title repeats ${paths}[${earlier}].title; a typed answer could not tell them apart.`,
        );
      } else seenTitles.set(key, position);
      if (/^\d+$/.test(key)) {
        problem(
          `${paths}[${position}].title`,
          `${paths}[${position}].title is a bare number, which reads as an option number on SMS.`,
        );
      }
    }
  }
  return problems;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}
