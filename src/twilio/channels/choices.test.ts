import { describe, expect, it } from "vitest";
import {
  type ChoiceCard,
  type ChoiceList,
  type QuickReplies,
  selectableChoices,
  validateChoices,
  whatsAppChoiceLimits,
} from "./choices.js";

const quick: QuickReplies = {
  type: "quick-replies",
  body: "What can we help with?",
  options: [
    { id: "rent", title: "Rent a bike" },
    { id: "repair", title: "Repairs" },
    { id: "person", title: "Talk to a person" },
  ],
};

const list: ChoiceList = {
  type: "list",
  body: "Pick a shop",
  button: "Shops",
  options: [
    { id: "harbor", title: "Harbor Street", description: "Open 9-17, repairs and rentals" },
    { id: "station", title: "Station Square", description: "Rentals only" },
  ],
};

const card: ChoiceCard = {
  type: "card",
  title: "City bike",
  subtitle: "$12 per hour",
  mediaUrl: "https://bikes.example/city.jpg",
  actions: [
    { type: "url", title: "Book online", url: "https://bikes.example/book" },
    { type: "phone", title: "Call us", phone: "+15550132400" },
    { type: "reply", id: "more", title: "More bikes" },
  ],
};

const messages = (problems: { message: string }[]) => problems.map((problem) => problem.message);

describe("validateChoices", () => {
  it.each([
    ["quick replies", quick],
    ["a list", list],
    ["a card", card],
  ])("accepts %s on every channel", (_name, choices) => {
    for (const channel of ["sms", "whatsapp", "chat"] as const) {
      expect(validateChoices(choices, { channel })).toEqual([]);
    }
  });

  it("explains what is too long for WhatsApp, and only for WhatsApp", () => {
    const long: ChoiceList = {
      ...list,
      button: "Choose one of our shops",
      options: [
        {
          id: "harbor",
          title: "Harbor Street (the big one)",
          description: "d".repeat(73),
        },
      ],
    };
    expect(validateChoices(long, { channel: "whatsapp" })).toEqual([
      { path: "button", message: "button is 23 characters; WhatsApp allows 20." },
      {
        path: "options[0].title",
        message: "options[0].title is 27 characters; WhatsApp allows 24.",
      },
      {
        path: "options[0].description",
        message: "options[0].description is 73 characters; WhatsApp allows 72.",
      },
    ]);
    expect(validateChoices(long, { channel: "sms" })).toEqual([]);
  });

  it("allows 3 quick-reply buttons in a session and 10 in an approved template", () => {
    const four: QuickReplies = {
      ...quick,
      options: [...quick.options, { id: "hours", title: "Opening hours" }],
    };
    expect(messages(validateChoices(four, { channel: "whatsapp" }))).toEqual([
      "options has 4 options; WhatsApp allows 3.",
    ]);
    expect(validateChoices(four, { channel: "whatsapp", session: false })).toEqual([]);
    expect(validateChoices(four, { channel: "sms" })).toEqual([]);
  });

  it("caps button titles at 20 characters and lists at 10 items on WhatsApp", () => {
    const titled: QuickReplies = {
      ...quick,
      options: [{ id: "a", title: "x".repeat(whatsAppChoiceLimits.buttonTitle + 1) }],
    };
    expect(messages(validateChoices(titled, { channel: "whatsapp" }))).toEqual([
      "options[0].title is 21 characters; WhatsApp allows 20.",
    ]);
    const eleven: ChoiceList = {
      ...list,
      options: Array.from({ length: 11 }, (_, index) => ({
        id: `o${index}`,
        title: `Option ${index}`,
      })),
    };
    expect(messages(validateChoices(eleven, { channel: "whatsapp" }))).toEqual([
      "options has 11 options; WhatsApp allows 10.",
    ]);
    expect(messages(validateChoices(eleven, { channel: "sms" }))).toEqual([
      "options has 11 options; at most 10.",
    ]);
  });

  it("counts characters as a person does, so an emoji title is not over-counted", () => {
    const emoji: QuickReplies = { ...quick, options: [{ id: "a", title: "\u{1F6B2}".repeat(20) }] };
    expect(validateChoices(emoji, { channel: "whatsapp" })).toEqual([]);
  });

  it("refuses what no channel can answer unambiguously", () => {
    const bad: QuickReplies = {
      type: "quick-replies",
      body: "  ",
      options: [
        { id: "a", title: "Yes" },
        { id: "a", title: "yes" },
        { id: "", title: "2" },
        { id: "c", title: "Hi {{1}}" },
      ],
    };
    expect(validateChoices(bad, { channel: "sms" })).toEqual([
      { path: "body", message: "body must be non-empty text." },
      { path: "options[2].id", message: "options[2].id must be non-empty text." },
      {
        path: "options[3].title",
        message: 'options[3].title contains "{{", which the Content API would read as a variable.',
      },
      { path: "options[1].id", message: "options[1].id repeats options[0].id." },
      {
        path: "options[1].title",
        message:
          "options[1].title repeats options[0].title; a typed answer could not tell them apart.",
      },
      {
        path: "options[2].title",
        message: "options[2].title is a bare number, which reads as an option number on SMS.",
      },
    ]);
    expect(messages(validateChoices({ ...quick, options: [] }, { channel: "chat" }))).toEqual([
      "options must hold at least one option.",
    ]);
  });

  it("says descriptions need a list on WhatsApp", () => {
    const described: QuickReplies = {
      ...quick,
      options: [{ id: "a", title: "Rent", description: "By the hour" }],
    };
    expect(messages(validateChoices(described, { channel: "whatsapp" }))).toEqual([
      "options[0].description cannot be shown on WhatsApp quick-reply buttons; use a list.",
    ]);
  });

  it("checks card links, numbers and button counts", () => {
    const bad: ChoiceCard = {
      type: "card",
      title: "Bike",
      subtitle: "s".repeat(61),
      mediaUrl: "javascript:alert(1)",
      actions: [
        { type: "url", title: "One", url: "https://a.example" },
        { type: "url", title: "Two", url: "ftp://b.example" },
        { type: "url", title: "Three", url: "https://c.example" },
        { type: "phone", title: "Call", phone: "555-0132" },
      ],
    };
    expect(messages(validateChoices(bad, { channel: "whatsapp" }))).toEqual([
      "subtitle is 61 characters; WhatsApp allows 60.",
      "mediaUrl must be a public http(s) URL.",
      "actions has 3 URL buttons; WhatsApp allows 2.",
      "actions[1].url must be a public http(s) URL.",
      "actions[3].phone must be an E.164 number such as +15551230001.",
    ]);
    expect(messages(validateChoices({ ...card, actions: [] }, { channel: "sms" }))).toEqual([
      "actions must hold at least one button.",
    ]);
  });

  it("refuses an unknown type instead of throwing", () => {
    expect(messages(validateChoices({ type: "carousel" } as never, { channel: "sms" }))).toEqual([
      'type must be "quick-replies", "list" or "card".',
    ]);
  });
});

describe("selectableChoices", () => {
  it("is the options, or a card's reply buttons", () => {
    expect(selectableChoices(list).map((option) => option.id)).toEqual(["harbor", "station"]);
    expect(selectableChoices(card)).toEqual([{ id: "more", title: "More bikes" }]);
  });
});
