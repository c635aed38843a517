import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KnowledgeError } from "./agent-errors.js";
import { faqAgent } from "./faq-agent.js";
import { parseKnowledge } from "./parse-knowledge.js";
import { sampleKnowledgePath } from "./sample-knowledge-path.js";
import type { AgentContext, InboundMedia, Reply, Turn } from "./types.js";

function turnOf(bodies: string[], media: InboundMedia[] = []): Turn {
  return {
    conversationSid: "CH00000000000000000000000000000001",
    messages: bodies.map((body, index) => ({
      messageSid: `IM${index}`,
      index,
      body,
      media: index === 0 ? media : [],
      dateCreated: new Date(0),
    })),
    text: bodies.filter((body) => body !== "").join("\n"),
    channel: "sms",
    author: "+15551230001",
    media,
  };
}

const context: AgentContext = {
  history: [],
  conversation: {
    sid: "CH00000000000000000000000000000001",
    channel: "sms",
    customer: "+15551230001",
  },
  signal: new AbortController().signal,
};

const sample = parseKnowledge(readFileSync(sampleKnowledgePath, "utf8"));
const answerTo = (question: string) => {
  const entry = sample.entries.find((candidate) => candidate.question === question);
  if (entry === undefined) throw new Error(`no sample entry ${question}`);
  return entry.answer;
};
const agent = faqAgent({ knowledge: { path: sampleKnowledgePath } });
const ask = (...bodies: string[]): Promise<Reply> => agent.respond(turnOf(bodies), context);

describe("faqAgent over the sample knowledge", () => {
  it.each([
    ["what are your hours", "What are your opening hours?"],
    ["When do you open on Sunday?", "What are your opening hours?"],
    ["Are you open mondays?", "What are your opening hours?"],
    ["what's your address", "Where are you located?"],
    ["Is there parking nearby?", "Where are you located?"],
    ["Can I return a helmet?", "What is your return policy?"],
    ["refund", "What is your return policy?"],
    ["how much is a tune up", "How much does a bike service cost?"],
    ["my tire is flat", "Do you repair bikes?"],
    ["do you fix ebikes?", "Do you repair bikes?"],
    ["how much to hire a bike for a day", "How much does it cost to rent a bike?"],
    ["Do you deliver?", "Do you ship orders?"],
    ["where is my order", "How do I track my order?"],
    ["do you have gift vouchers", "Do you offer gift cards?"],
    ["what size bike do I need", "Can you help me choose the right bike size?"],
    ["do you take apple pay", "What payment methods do you accept?"],
    ["I want to sell my old bike", "Do you buy or trade in old bikes?"],
    ["Hi! What's your phone number?", "How can I contact the shop?"],
    ["Can I brng my dog?", "Can I bring my dog or child on a rental?"],
  ])("answers %j from %j", async (question, expected) => {
    expect(await ask(question)).toEqual({ text: answerTo(expected) });
  });

  it.each([
    "what's the weather like",
    "who won the game last night",
    "do you sell pizza",
    "what is the meaning of life",
    "xyzzy",
    "is there?",
  ])("says plainly it does not know %j and offers a human", async (question) => {
    const reply = await ask(question);
    expect(reply).toEqual({ text: expect.stringContaining("don't know") });
    expect(reply).toEqual({ text: expect.stringContaining('"human"') });
  });

  it("hands off when the customer asks for a person", async () => {
    for (const text of ["human", "AGENT", "can I speak to a person?"]) {
      const reply = await ask(text);
      expect(reply).toMatchObject({
        handoff: { reason: expect.any(String) },
        text: expect.any(String),
      });
    }
  });

  it("greets politely and acknowledges thanks", async () => {
    const greeting = await ask("Hello!");
    expect(greeting).toEqual({ text: expect.stringContaining("Harbor Bikes") });
    expect(greeting).toEqual({ text: expect.stringContaining('"What are your opening hours?"') });
    expect(await ask("thanks!")).toEqual({ text: expect.stringContaining("welcome") });
  });

  it("answers each question of a burst once, and a question split over messages", async () => {
    const reply = await ask("hi", "what are your hours?", "when do you open", "do you rent bikes?");
    expect(reply).toEqual({
      text: `${answerTo("What are your opening hours?")}\n\n${answerTo("Do you rent bikes?")}`,
    });
    expect(await ask("is there", "parking?")).toEqual({ text: answerTo("Where are you located?") });
    expect(await ask("hi", "human")).toMatchObject({ handoff: {} });
    expect(await ask("do you deliver?", "do you sell pizza?")).toEqual({
      text: `${answerTo("Do you ship orders?")}\n\nFor anything else, reply "human" to talk to a person.`,
    });
  });

  it("skips empty turns and answers media-only turns honestly", async () => {
    expect(await ask("", "  ")).toEqual({ skip: true, reason: "empty message" });
    const reply = await agent.respond(turnOf([""], [{ contentType: "image/jpeg" }]), context);
    expect(reply).toEqual({ text: expect.stringContaining("only read text") });
    expect((reply as { text: string }).text).toContain('Reply "human"');
    expect((reply as { text: string }).text.match(/can't look at/g)).toHaveLength(1);
  });

  it("answers the text of a turn with a photo and says it cannot look at the photo", async () => {
    const reply = await agent.respond(
      turnOf(["What are your opening hours?"], [{ contentType: "image/jpeg" }]),
      context,
    );
    const text = (reply as { text: string }).text;
    expect(text.startsWith(answerTo("What are your opening hours?"))).toBe(true);
    expect(text).toContain("can't look at photos");
    expect(text).toContain('Reply "human"');
  });

  it("copes with oversized and hostile input", async () => {
    const long = `${"why ".repeat(5000)}hours`;
    expect(await ask(long)).toHaveProperty("text");
    expect(await ask("__proto__ constructor toString")).toEqual({
      text: expect.stringContaining("don't know"),
    });
    expect(await ask("\u0000\u202E(?:.*)+$")).toHaveProperty("text");
  });
});

describe("faqAgent options", () => {
  const directory = mkdtempSync(join(tmpdir(), "switchboard-faq-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("takes inline markdown, a custom fallback and a stricter threshold", async () => {
    const small = faqAgent({
      knowledge: "Q: Do you sell coffee?\nA: Yes, from 8am.\n",
      fallback: "No idea, sorry.",
    });
    expect(await small.respond(turnOf(["coffee?"]), context)).toEqual({ text: "Yes, from 8am." });
    expect(await small.respond(turnOf(["tea?"]), context)).toEqual({ text: "No idea, sorry." });
    const loose = faqAgent({ knowledge: "## Coffee?\nYes.", minScore: 0.4 });
    const standard = faqAgent({ knowledge: "## Coffee?\nYes." });
    expect(await loose.respond(turnOf(["coffee and cake?"]), context)).toEqual({ text: "Yes." });
    expect(await standard.respond(turnOf(["coffee and cake?"]), context)).toEqual({
      text: expect.stringContaining("don't know"),
    });
    expect(() => faqAgent({ knowledge: "## A?\nB.", minScore: 5 })).toThrow(RangeError);
  });

  it("reads a knowledge file by path", async () => {
    const path = join(directory, "faq.md");
    writeFileSync(path, "## Do you have wifi?\nYes, the password is on the counter.\n");
    const fromFile = faqAgent({ knowledge: { path } });
    expect(await fromFile.respond(turnOf(["wifi password"]), context)).toEqual({
      text: "Yes, the password is on the counter.",
    });
  });

  it("fails at creation on a missing file or a file with no questions", () => {
    expect(() => faqAgent({ knowledge: { path: join(directory, "missing.md") } })).toThrow(
      KnowledgeError,
    );
    expect(() => faqAgent({ knowledge: "# Just a title\n\nNo questions here." })).toThrow(
      /no questions/,
    );
    expect(() => faqAgent({ knowledge: 42 as never })).toThrow(KnowledgeError);
  });
});

describe("faqAgent answers one fact with its sentence", () => {
  it("quotes the 18-or-older rule for a 15-year-old on an e-bike, not the whole entry", async () => {
    expect(await ask("Can my 15 year old rent an e-bike?")).toEqual({
      text: "E-bike riders must be 18 or older.",
    });
  });

  it("gives the whole entry when the question is about its topic", async () => {
    expect(await ask("what do i need to bring to rent a bike")).toEqual({
      text: answerTo("What do I need to rent a bike?"),
    });
  });

  it("understands texting and shop synonyms", async () => {
    expect(await ask("whats ur address")).toEqual({ text: answerTo("Where are you located?") });
    expect(await ask("How do I return an item?")).toEqual({
      text: answerTo("What is your return policy?"),
    });
    expect(await ask("Do you ship to Canada?")).toEqual({ text: answerTo("Do you ship orders?") });
    expect(await ask("my chain keeps slipping, can you fix it today?")).toEqual({
      text: answerTo("Do you repair bikes?"),
    });
    expect(await ask("how much for an ebike for the afternoon")).toEqual({
      text: answerTo("How much does it cost to rent a bike?"),
    });
    expect(await ask("can my dog come along?")).toEqual({
      text: answerTo("Can I bring my dog or child on a rental?"),
    });
  });

  it("does not answer a job question with rentals although hiring looks like hire", async () => {
    expect(await ask("are you hiring? i'm looking for a job")).toEqual({
      text: expect.stringContaining("don't know"),
    });
  });
});
