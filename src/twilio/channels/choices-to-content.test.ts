import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parseContentCreateRequest } from "../../emulator/content/content-create-request.js";
import { renderTemplate } from "../../emulator/content/render-template.js";
import type { ChoiceCard, ChoiceList, Choices, QuickReplies } from "./choices.js";
import { choicesContentKey, choicesToContent } from "./choices-to-content.js";

const quick: QuickReplies = {
  type: "quick-replies",
  body: "What can we help with?",
  options: [
    { id: "rent", title: "Rent a bike" },
    { id: "repair", title: "Repairs" },
  ],
};

const list: ChoiceList = {
  type: "list",
  body: "Pick a shop",
  button: "Shops",
  options: [
    { id: "harbor", title: "Harbor Street", description: "Repairs and rentals" },
    { id: "station", title: "Station Square" },
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

/** The Content API's own request schema, from Twilio's OpenAPI file (vendored in test/fixtures). */
function createRequestSchema() {
  const spec = JSON.parse(
    readFileSync(new URL("../../../test/fixtures/twilio_content_v1.json", import.meta.url), "utf8"),
  ) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv({ strict: false, allErrors: true });
  // OpenAPI 3.0's `nullable` is not JSON Schema; the types are objects either way here.
  const schemas = JSON.parse(
    JSON.stringify(spec.components.schemas).replaceAll('"nullable":true,', ""),
  );
  ajv.addSchema({ components: { schemas } }, "spec");
  return ajv.compile({ $ref: "spec#/components/schemas/ContentCreateRequest" });
}

describe("choicesToContent", () => {
  const validate = createRequestSchema();

  it("builds twilio/quick-reply with QUICK_REPLY actions", () => {
    expect(choicesToContent(quick, { friendlyName: "help-menu" })).toEqual({
      friendly_name: "help-menu",
      language: "en",
      types: {
        "twilio/quick-reply": {
          body: "What can we help with?",
          actions: [
            { type: "QUICK_REPLY", title: "Rent a bike", id: "rent" },
            { type: "QUICK_REPLY", title: "Repairs", id: "repair" },
          ],
        },
      },
    });
  });

  it("builds twilio/list-picker with items, leaving out a missing description", () => {
    expect(choicesToContent(list, { language: "de" }).types).toEqual({
      "twilio/list-picker": {
        body: "Pick a shop",
        button: "Shops",
        items: [
          { id: "harbor", item: "Harbor Street", description: "Repairs and rentals" },
          { id: "station", item: "Station Square" },
        ],
      },
    });
  });

  it("builds twilio/card with URL, PHONE_NUMBER and QUICK_REPLY actions", () => {
    expect(choicesToContent(card).types).toEqual({
      "twilio/card": {
        title: "City bike",
        subtitle: "$12 per hour",
        media: ["https://bikes.example/city.jpg"],
        actions: [
          { type: "URL", title: "Book online", url: "https://bikes.example/book" },
          { type: "PHONE_NUMBER", title: "Call us", phone: "+15550132400" },
          { type: "QUICK_REPLY", title: "More bikes", id: "more" },
        ],
      },
    });
  });

  it.each([
    ["quick replies", quick],
    ["a list", list],
    ["a card", card],
  ] as [string, Choices][])(
    "gives %s a body the Content API's schema accepts",
    (_name, choices) => {
      const body = choicesToContent(choices);
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    },
  );

  it("catches a wrong field name with that schema, so the check can fail", () => {
    const body = choicesToContent(list);
    const picker = body.types["twilio/list-picker"] as { items: Record<string, unknown>[] };
    picker.items[0] = { id: "harbor", title: "Harbor Street" };
    expect(validate(body)).toBe(false);
  });

  it.each([
    ["quick replies", quick, ["Rent a bike", "Repairs"]],
    ["a list", list, ["Harbor Street", "Station Square"]],
    ["a card", card, ["Book online", "Call us", "More bikes"]],
  ] as [string, Choices, string[]][])(
    "gives %s a body the emulator's Content API stores and renders as buttons",
    (_name, choices, titles) => {
      const stored = parseContentCreateRequest(choicesToContent(choices));
      const rendered = renderTemplate(
        { sid: "HX00000000000000000000000000000001", types: stored.types, variables: {} },
        undefined,
        { channel: "whatsapp" },
      );
      expect(rendered.actions.map((action) => action.title)).toEqual(titles);
    },
  );

  it("names the template after a stable content key, so it can be cached and reused", () => {
    const key = choicesContentKey(quick);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(choicesContentKey({ ...quick, options: [...quick.options] })).toBe(key);
    expect(choicesContentKey(quick, "de")).not.toBe(key);
    expect(choicesContentKey({ ...quick, body: "Other" })).not.toBe(key);
    expect(choicesToContent(quick).friendly_name).toBe(`switchboard-choices-${key.slice(0, 16)}`);
  });

  it("refuses an unknown type", () => {
    expect(() => choicesToContent({ type: "carousel" } as never)).toThrow(TypeError);
  });
});
