import { describe, expect, it } from "vitest";
import { type ContentTemplate, createContentStore } from "./content-store.js";
import { renderContentMessage } from "./render-content-message.js";
import {
  ContentRenderError,
  maxContentVariablesLength,
  parseContentVariables,
  renderTemplate,
} from "./render-template.js";

const sid = `HX${"a".repeat(32)}`;
const template = (
  types: ContentTemplate["types"],
  variables: Record<string, string> = {},
): Pick<ContentTemplate, "sid" | "types" | "variables"> => ({ sid, types, variables });

function renderError(run: () => unknown): ContentRenderError {
  try {
    run();
  } catch (error) {
    if (error instanceof ContentRenderError) return error;
    throw error;
  }
  throw new Error("expected a ContentRenderError");
}

describe("renderTemplate", () => {
  it("fills numbered placeholders in twilio/text", () => {
    const rendered = renderTemplate(
      template({ "twilio/text": { body: "Hi {{1}}, order {{2}} ships {{ 3 }}." } }),
      '{"1":"Ana","2":"#42","3":"today"}',
    );
    expect(rendered).toEqual({
      contentType: "twilio/text",
      body: "Hi Ana, order #42 ships today.",
      media: [],
      actions: [],
    });
  });

  it("fills named placeholders and falls back to the template's default variables", () => {
    const content = template(
      { "twilio/text": { body: "{{greeting}} {{name}}" } },
      { greeting: "Hello", name: "there" },
    );
    expect(renderTemplate(content, '{"name":"Bo"}').body).toBe("Hello Bo");
    expect(renderTemplate(content).body).toBe("Hello there");
    expect(renderTemplate(content, "").body).toBe("Hello there");
  });

  it("inserts values literally: no second pass, no $-patterns", () => {
    const content = template({ "twilio/text": { body: "{{1}} and {{2}}" } });
    expect(renderTemplate(content, JSON.stringify({ "1": "{{2}}", "2": "$& $1 $$" })).body).toBe(
      "{{2}} and $& $1 $$",
    );
  });

  it("renders twilio/quick-reply with its buttons on WhatsApp and twilio/text on SMS", () => {
    const content = template({
      "twilio/text": { body: "Reply YES or NO, {{1}}" },
      "twilio/quick-reply": {
        body: "Confirm your visit, {{1}}?",
        actions: [
          { title: "Yes {{1}}", id: "yes" },
          { title: "No", id: "no", type: "QUICK_REPLY" },
        ],
      },
    });
    expect(renderTemplate(content, '{"1":"Ana"}', { channel: "whatsapp" })).toEqual({
      contentType: "twilio/quick-reply",
      body: "Confirm your visit, Ana?",
      media: [],
      actions: [
        { title: "Yes Ana", id: "yes" },
        { title: "No", id: "no", type: "QUICK_REPLY" },
      ],
    });
    expect(renderTemplate(content, '{"1":"Ana"}', { channel: "sms" })).toMatchObject({
      contentType: "twilio/text",
      body: "Reply YES or NO, Ana",
    });
  });

  it("renders media-only twilio/media with a null body and filled URLs", () => {
    const rendered = renderTemplate(
      template({ "twilio/media": { media: ["https://example.com/{{1}}.png"] } }),
      '{"1":"receipt"}',
    );
    expect(rendered).toEqual({
      contentType: "twilio/media",
      body: null,
      media: ["https://example.com/receipt.png"],
      actions: [],
    });
  });

  it("renders twilio/list-picker items and twilio/location labels", () => {
    const picker = renderTemplate(
      template({
        "twilio/list-picker": {
          body: "Pick a slot",
          button: "Slots",
          items: [{ id: "a", item: "9:00 {{1}}" }],
        },
      }),
      '{"1":"am"}',
    );
    expect(picker.actions).toEqual([{ title: "9:00 am", id: "a" }]);
    const location = renderTemplate(
      template({ "twilio/location": { latitude: 1.5, longitude: 2, label: "Shop" } }),
    );
    expect(location.body).toBe("Shop");
  });

  it.each([
    ["not JSON", "{1: 'Ana'}"],
    ["a JSON array", '["Ana"]'],
    ["a JSON string", '"Ana"'],
    ["JSON null", "null"],
    ["an object value", '{"1":{"name":"Ana"}}'],
    ["a boolean value", '{"1":true}'],
  ])("rejects ContentVariables that is %s with 21656", (_name, variables) => {
    const error = renderError(() =>
      renderTemplate(template({ "twilio/text": { body: "Hi {{1}}" } }), variables),
    );
    expect(error.code).toBe("invalid_content_variables");
    expect(error.twilioCode).toBe(21656);
  });

  it("accepts numeric values as clients send them", () => {
    expect(parseContentVariables('{"1": 42}')).toEqual({ "1": "42" });
  });

  it("rejects oversized ContentVariables", () => {
    const huge = JSON.stringify({ "1": "x".repeat(maxContentVariablesLength) });
    expect(renderError(() => parseContentVariables(huge)).code).toBe("invalid_content_variables");
  });

  it("names the placeholder that has no value", () => {
    const error = renderError(() =>
      renderTemplate(template({ "twilio/text": { body: "Hi {{1}} {{2}}" } }), '{"1":"Ana"}'),
    );
    expect(error.code).toBe("missing_content_variable");
    expect(error.message).toContain("{{2}}");
  });

  it("refuses a template with no deliverable content type", () => {
    const error = renderError(() => renderTemplate(template({ "twilio/catalog": { title: "x" } })));
    expect(error.code).toBe("unsupported_content_type");
    expect(error.twilioCode).toBeUndefined();
  });
});

describe("renderContentMessage", () => {
  const accountSid = `AC${"1".repeat(32)}`;
  const store = createContentStore();
  const created = store.create(accountSid, {
    friendly_name: "",
    language: "en",
    variables: {},
    types: { "twilio/text": { body: "Code {{1}}" } },
  });

  it("renders this account's template with the send's variables", () => {
    const rendered = renderContentMessage(store, {
      accountSid,
      contentSid: created.sid,
      contentVariables: '{"1":"1234"}',
      channel: "sms",
    });
    expect(rendered.body).toBe("Code 1234");
  });

  it.each([
    ["an unknown sid", accountSid, `HX${"0".repeat(32)}`],
    ["another account's template", `AC${"2".repeat(32)}`, created.sid],
  ])("reports 21655 for %s", (_name, account, contentSid) => {
    const error = renderError(() =>
      renderContentMessage(store, { accountSid: account, contentSid }),
    );
    expect(error.code).toBe("unknown_content");
    expect(error.twilioCode).toBe(21655);
  });
});
