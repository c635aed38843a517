import { describe, expect, it } from "vitest";
import type { Choices } from "../channel/choices.js";
import type { HistoryEntry } from "../mailbox/mailbox-store.js";
import { choiceOf, lastOfferedChoices } from "./rich-turn.js";

const offered: Choices = {
  type: "list",
  body: "Pick a service",
  button: "Services",
  options: [
    { id: "repair", title: "Repairs", description: "Same day" },
    { id: "rental", title: "Rentals" },
  ],
};

describe("choiceOf", () => {
  it("maps a web chat tap, a WhatsApp title, a number and a word to the same choice", () => {
    const rental = { id: "rental", title: "Rentals" };
    expect(
      choiceOf({ body: "Rentals", attributes: { switchboardChoice: { id: "rental" } } }, offered),
    ).toEqual(rental);
    expect(choiceOf({ body: "Rentals" }, offered)).toEqual(rental);
    expect(choiceOf({ body: "2" }, offered)).toEqual(rental);
    expect(choiceOf({ body: " two. " }, offered)).toEqual(rental);
  });

  it("leaves sentences, numbers past the list and unknown tap ids unmatched", () => {
    expect(choiceOf({ body: "2 please" }, offered)).toBeUndefined();
    expect(choiceOf({ body: "3" }, offered)).toBeUndefined();
    expect(
      choiceOf({ body: "hm", attributes: { switchboardChoice: { id: "nope" } } }, offered),
    ).toBeUndefined();
  });
});

describe("lastOfferedChoices", () => {
  const reply = (attributes: Record<string, unknown>, status = "sent"): HistoryEntry =>
    ({ direction: "outbound", attributes, status }) as unknown as HistoryEntry;
  const customer = { direction: "inbound" } as unknown as HistoryEntry;

  it("takes the choices of the latest reply that did not fail, and none once a reply has none", () => {
    const offers = reply({ switchboardChoices: offered });
    expect(lastOfferedChoices([offers, customer])).toEqual(offered);
    expect(lastOfferedChoices([offers, customer, reply({}, "failed")])).toEqual(offered);
    expect(lastOfferedChoices([offers, customer, reply({})])).toBeUndefined();
    expect(lastOfferedChoices([customer])).toBeUndefined();
  });
});
