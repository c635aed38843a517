import type { Choices } from "../channel/choices.js";
import { ConfigError } from "../errors.js";
import type { OutboundReply } from "../mailbox/mailbox-store.js";
import { selectableChoices, whatsAppChoiceLimits } from "../twilio/channels/choices.js";

/**
 * A WhatsApp template approved by Meta that shows choices (buttons or a list), for replies
 * outside the customer's 24-hour window, where quick replies and lists made on the fly
 * cannot be sent (`channels.whatsapp.choiceTemplates`). A reply's choices pick it by `name`
 * (`choices.template`) or, without a name, when their option ids are exactly `choiceIds`
 * in order (the ids the template's buttons answer with).
 */
export interface ApprovedChoiceTemplate {
  /** The name a reply's `choices.template` asks for. */
  name?: string;
  /** The option ids, in order, that select this template for choices that name none. */
  choiceIds?: readonly string[];
  /** The approved Content template (`HX…`). */
  contentSid: string;
  /** Fixed values of the template's variables (`{ "1": "Ada" }`). */
  variables?: Readonly<Record<string, string>>;
  /**
   * The variable the reply's text fills (e.g. `"2"` for `{{2}}`); its text is then sent in
   * the template. Absent: the template's own words are sent and the reply's text is not.
   */
  textVariable?: string;
}

const contentSidPattern = /^HX[0-9a-fA-F]{32}$/;
const variableKeyPattern = /^[A-Za-z0-9_]{1,64}$/;

/**
 * Checks `channels.whatsapp.choiceTemplates` at construction, each problem named by its
 * option path (`channels.whatsapp.choiceTemplates[1].contentSid`), and returns a copy.
 */
export function resolveChoiceTemplates(
  value: readonly ApprovedChoiceTemplate[] | undefined,
  option = "channels.whatsapp.choiceTemplates",
): ApprovedChoiceTemplate[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new ConfigError(
      option,
      `${option} must be an array of { name?, choiceIds?, contentSid }.`,
    );
  const names = new Set<string>();
  const idSets = new Set<string>();
  return value.map((entry: ApprovedChoiceTemplate, position): ApprovedChoiceTemplate => {
    const at = `${option}[${position}]`;
    if (typeof entry !== "object" || entry === null)
      throw new ConfigError(at, `${at} must be an object { name?, choiceIds?, contentSid }.`);
    if (typeof entry.contentSid !== "string" || !contentSidPattern.test(entry.contentSid))
      throw new ConfigError(
        `${at}.contentSid`,
        `${at}.contentSid must be an approved Content template SID (HX followed by 32 hex digits); find it in Twilio Console → Messaging → Content Template Builder.`,
      );
    if (entry.name === undefined && entry.choiceIds === undefined)
      throw new ConfigError(
        at,
        `${at} needs a name (which replies ask for with choices.template) or choiceIds (the option ids it shows), or both.`,
      );
    if (entry.name !== undefined) {
      if (typeof entry.name !== "string" || entry.name.trim() === "" || entry.name.length > 100)
        throw new ConfigError(
          `${at}.name`,
          `${at}.name must be a non-empty string (≤ 100 characters).`,
        );
      if (names.has(entry.name))
        throw new ConfigError(`${at}.name`, `${at}.name "${entry.name}" is used twice.`);
      names.add(entry.name);
    }
    let choiceIds: string[] | undefined;
    if (entry.choiceIds !== undefined) {
      const ids = entry.choiceIds as unknown;
      if (
        !Array.isArray(ids) ||
        ids.length === 0 ||
        ids.length > whatsAppChoiceLimits.templateQuickReplies ||
        ids.some((id) => typeof id !== "string" || id === "" || id.length > 200) ||
        new Set(ids).size !== ids.length
      )
        throw new ConfigError(
          `${at}.choiceIds`,
          `${at}.choiceIds must list 1–${whatsAppChoiceLimits.templateQuickReplies} distinct, non-empty option ids.`,
        );
      choiceIds = [...(ids as string[])];
      const key = JSON.stringify(choiceIds);
      if (idSets.has(key))
        throw new ConfigError(`${at}.choiceIds`, `${at}.choiceIds repeats an earlier entry's ids.`);
      idSets.add(key);
    }
    const variables: Record<string, string> = {};
    if (entry.variables !== undefined) {
      if (typeof entry.variables !== "object" || entry.variables === null)
        throw new ConfigError(`${at}.variables`, `${at}.variables must be an object of strings.`);
      for (const [key, text] of Object.entries(entry.variables)) {
        if (!variableKeyPattern.test(key) || typeof text !== "string")
          throw new ConfigError(
            `${at}.variables`,
            `${at}.variables must map variable names such as "1" to strings.`,
          );
        variables[key] = text;
      }
    }
    if (entry.textVariable !== undefined) {
      if (typeof entry.textVariable !== "string" || !variableKeyPattern.test(entry.textVariable))
        throw new ConfigError(
          `${at}.textVariable`,
          `${at}.textVariable must name one of the template's variables, such as "1".`,
        );
      if (entry.textVariable in variables)
        throw new ConfigError(
          `${at}.textVariable`,
          `${at}.textVariable "${entry.textVariable}" is also given a fixed value in variables.`,
        );
    }
    return {
      ...(entry.name === undefined ? {} : { name: entry.name }),
      ...(choiceIds === undefined ? {} : { choiceIds }),
      contentSid: entry.contentSid,
      variables,
      ...(entry.textVariable === undefined ? {} : { textVariable: entry.textVariable }),
    };
  });
}

/**
 * The approved template for `choices` outside the window: the one their `template` names,
 * else the one whose `choiceIds` are their option ids in order. `undefined` when none fits
 * — a name that is not configured, or text too long for a template variable (1,024
 * characters, WhatsApp's body limit) — and the caller falls back to the general template.
 */
export function approvedChoiceTemplate(
  choices: Choices,
  text: string,
  templates: readonly ApprovedChoiceTemplate[],
): OutboundReply["template"] | undefined {
  if (templates.length === 0) return undefined;
  const named = choices.template;
  let found: ApprovedChoiceTemplate | undefined;
  if (named !== undefined) found = templates.find((template) => template.name === named);
  else {
    const key = JSON.stringify(selectableChoices(choices).map((choice) => choice.id));
    found = templates.find(
      (template) => template.choiceIds !== undefined && JSON.stringify(template.choiceIds) === key,
    );
  }
  if (found === undefined) return undefined;
  const variables = { ...(found.variables ?? {}) };
  if (found.textVariable !== undefined) {
    const filled = text.trim();
    if (filled === "" || filled.length > whatsAppChoiceLimits.body) return undefined;
    variables[found.textVariable] = filled;
  }
  return { contentSid: found.contentSid, variables };
}
