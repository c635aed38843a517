import { describe, expect, it } from "vitest";
import type { Choices } from "../channel/choices.js";
import { approvedChoiceTemplate, resolveChoiceTemplates } from "./choice-templates.js";
import { shapeReply } from "./reply-shaping.js";

const menuSid = `HX${"1".repeat(32)}`;
const yesNoSid = `HX${"2".repeat(32)}`;
const fallbackSid = `HX${"3".repeat(32)}`;
const day = 24 * 60 * 60 * 1000;

const menu: Choices = {
  type: "quick-replies",
  body: "What do you need?",
  options: [
    { id: "repair", title: "Repairs" },
    { id: "rental", title: "Rentals" },
  ],
};

const templates = resolveChoiceTemplates([
  { name: "service-menu", contentSid: menuSid, variables: { "1": "Ada" }, textVariable: "2" },
  { choiceIds: ["repair", "rental"], contentSid: yesNoSid },
]);

describe("resolveChoiceTemplates", () => {
  it("refuses each misconfiguration naming the option", () => {
    const sid = menuSid;
    const cases: [unknown, string][] = [
      ["menu", "channels.whatsapp.choiceTemplates"],
      [[null], "channels.whatsapp.choiceTemplates[0]"],
      [[{ name: "a", contentSid: "HX1" }], "channels.whatsapp.choiceTemplates[0].contentSid"],
      [[{ contentSid: sid }], "channels.whatsapp.choiceTemplates[0]"],
      [[{ name: " ", contentSid: sid }], "channels.whatsapp.choiceTemplates[0].name"],
      [
        [
          { name: "a", contentSid: sid },
          { name: "a", contentSid: sid },
        ],
        "channels.whatsapp.choiceTemplates[1].name",
      ],
      [[{ choiceIds: [], contentSid: sid }], "channels.whatsapp.choiceTemplates[0].choiceIds"],
      [
        [{ choiceIds: ["a", "a"], contentSid: sid }],
        "channels.whatsapp.choiceTemplates[0].choiceIds",
      ],
      [
        [{ choiceIds: Array.from({ length: 11 }, (_, n) => `o${n}`), contentSid: sid }],
        "channels.whatsapp.choiceTemplates[0].choiceIds",
      ],
      [
        [{ name: "a", contentSid: sid, variables: { "1": 2 } }],
        "channels.whatsapp.choiceTemplates[0].variables",
      ],
      [
        [{ name: "a", contentSid: sid, textVariable: "{{1}}" }],
        "channels.whatsapp.choiceTemplates[0].textVariable",
      ],
      [
        [{ name: "a", contentSid: sid, variables: { "1": "x" }, textVariable: "1" }],
        "channels.whatsapp.choiceTemplates[0].textVariable",
      ],
    ];
    for (const [value, option] of cases)
      expect(() => resolveChoiceTemplates(value as never), JSON.stringify(value)).toThrow(
        expect.objectContaining({ code: "invalid_config", option }),
      );
  });
});

describe("approvedChoiceTemplate", () => {
  it("picks by name first, then by the option ids in order", () => {
    expect(
      approvedChoiceTemplate({ ...menu, template: "service-menu" }, "Pick one", templates),
    ).toEqual({
      contentSid: menuSid,
      variables: { "1": "Ada", "2": "Pick one" },
    });
    expect(approvedChoiceTemplate(menu, "Pick one", templates)).toEqual({
      contentSid: yesNoSid,
      variables: {},
    });
    const reversed: Choices = { ...menu, options: [...menu.options].reverse() };
    expect(approvedChoiceTemplate(reversed, "x", templates)).toBeUndefined();
    expect(
      approvedChoiceTemplate({ ...menu, template: "unknown" }, "x", templates),
    ).toBeUndefined();
    // Text a template variable cannot hold: no fit, never cut.
    expect(
      approvedChoiceTemplate({ ...menu, template: "service-menu" }, "x".repeat(1025), templates),
    ).toBeUndefined();
    expect(approvedChoiceTemplate(menu, "x", [])).toBeUndefined();
  });
});

describe("shapeReply outside the WhatsApp window", () => {
  const closed = {
    channel: "whatsapp" as const,
    lastInboundAt: 0,
    now: day + 1,
    smsMarkers: false,
    whatsappTemplate: { contentSid: fallbackSid },
    choiceTemplates: templates,
  };

  it("sends choices through their approved template, carrying the choices for taps", () => {
    const shaped = shapeReply(
      { text: "Back again?", choices: { ...menu, template: "service-menu" } },
      closed,
    );
    expect(shaped.usedTemplate).toBe(true);
    expect(shaped.replies).toEqual([
      {
        body: null,
        template: { contentSid: menuSid, variables: { "1": "Ada", "2": "Back again?" } },
        attributes: {
          switchboardChoices: { ...menu, template: "service-menu" },
          switchboardTemplateReason: "window-closed",
        },
      },
    ]);
  });

  it("falls back to the general template when no approved template fits", () => {
    const shaped = shapeReply(
      { text: "Back again?", choices: { ...menu, template: "nope" } },
      closed,
    );
    expect(shaped.replies.map((reply) => reply.template?.contentSid)).toEqual([fallbackSid]);
  });

  it("sends session choices inside the window as before", () => {
    const shaped = shapeReply({ text: "Hi", choices: menu }, { ...closed, now: 1000 });
    expect(shaped.usedTemplate).toBe(false);
    expect(shaped.replies.some((reply) => reply.template?.contentSid === menuSid)).toBe(false);
  });
});
