import { readFileSync } from "node:fs";
import { KnowledgeError } from "./agent-errors.js";
import { classifyMessage, withoutGreeting } from "./classify-message.js";
import { FaqIndex, termsOf } from "./faq-index.js";
import { focusAnswer } from "./focus-answer.js";
import { type Knowledge, parseKnowledge } from "./parse-knowledge.js";
import type { Agent, Reply, Turn } from "./types.js";

/** Options of {@link faqAgent}. */
export interface FaqAgentOptions {
  /** The knowledge: markdown text, or `{ path }` of a markdown file (read once, now). */
  knowledge: string | { path: string | URL };
  /**
   * How much of a question (0–1) the best entry must explain to be given as the answer:
   * each meaningful word of the question found in the entry's question or keywords counts
   * 1, found only in its answer ½ (¾ when no other answer mentions it, 1 when the answer
   * holds it in one sentence with another word of the question); intent words ("how
   * much", "how long") weigh half. Default 0.6, so "do you sell pizza?" is not answered
   * with the bike brands, while "do you sell used bikes?" is answered. An entry whose
   * heading or keywords hold two words of the question needs only half of it.
   */
  minScore?: number;
  /** Said when no entry matches well enough. Should offer a human. */
  fallback?: string;
  /** The answer to a bare greeting. */
  greeting?: string;
  /** Sent before handing the conversation to a person. */
  handoffText?: string;
  /**
   * Said when the customer sent a photo, voice note or file, which this agent cannot look
   * at. Default: says so and offers a person.
   */
  attachmentText?: string;
  /** Added when some questions of a multi-message turn were answered and others not. */
  partlyAnswered?: string;
  /** The answer to "thanks", "ok", "bye". */
  acknowledgement?: string;
}

/**
 * The offline default agent: answers from a markdown Q&A file with full-text search, with
 * no model and no network. It answers only when a question matches an entry well, says
 * plainly when it does not know and offers a person, and hands the conversation to a
 * human when the customer asks for one ("human", "agent", "can I talk to a person?").
 *
 * Retrieval understands customers' wording (stems, typos, texting abbreviations, shop
 * synonyms such as hire/rent; see customer-words.ts). A question about one fact of an
 * entry is answered with that fact's sentence, a question about its topic with the whole
 * entry (see {@link focusAnswer}).
 *
 * Several messages in one turn (a burst) are answered together: each message is matched
 * on its own, the distinct answers are joined, and a question it could not answer is
 * owned up to. Answers are the knowledge's markdown; the runtime shapes it per channel.
 */
export function faqAgent(options: FaqAgentOptions): Agent {
  const knowledge = loadKnowledge(options.knowledge);
  const index = new FaqIndex(knowledge.entries);
  const minScore = options.minScore ?? 0.6;
  if (!(minScore >= 0 && minScore <= 1)) {
    throw new RangeError(`faqAgent: option "minScore" must be between 0 and 1; got ${minScore}.`);
  }
  const business = knowledge.title === undefined ? "us" : knowledge.title;
  const fallback =
    options.fallback ??
    `Sorry, I don't know the answer to that. Reply "human" to talk to a person.`;
  const examples = knowledge.entries
    .slice(0, 2)
    .map((entry) => `"${entry.question}"`)
    .join(" or ");
  const greeting =
    options.greeting ??
    `Hi! Thanks for messaging ${business}. Ask me things like ${examples}, or reply "human" to talk to a person.`;
  const partlyAnswered =
    options.partlyAnswered ?? `For anything else, reply "human" to talk to a person.`;
  const handoffText =
    options.handoffText ??
    "Sure — I'm passing you to a person. They'll reply here as soon as they can.";
  const acknowledgement = options.acknowledgement ?? `You're welcome! Anything else, just ask.`;
  const attachmentText =
    options.attachmentText ??
    `I can't look at photos, voice notes or files: I can only read text. Reply "human" and a person will take a look.`;

  const answerOf = (text: string): string | undefined => {
    const best = index.search(text, 1)[0];
    if (best === undefined) return undefined;
    // Two of the entry's own topic words carry a question that is half noise to the
    // index ("my chain keeps slipping, can you fix it today?"); one never does.
    const trusted = best.topicTerms >= 2 && best.coverage >= minScore / 2;
    if (best.coverage < minScore && !trusted) return undefined;
    return focusAnswer(best.entry, text);
  };

  const answerText = (turn: Turn): Reply => {
    const reply = answerTurn(turn);
    // Answer what was written, and be honest about what was attached (a media-only turn
    // already says so).
    const wrote = turn.messages.some((message) => message.body.trim() !== "");
    if (!wrote || turn.media.length === 0 || !("text" in reply) || "handoff" in reply) return reply;
    return { ...reply, text: `${reply.text}\n\n${attachmentText}` };
  };

  const answerTurn = (turn: Turn): Reply => {
    const bodies = turn.messages
      .map((message) => message.body)
      .filter((body) => body.trim() !== "");
    if (bodies.length === 0) {
      return turn.media.length > 0
        ? { text: `Thanks for the attachment! ${attachmentText}` }
        : { skip: true, reason: "empty message" };
    }
    const intents = bodies.map((body) => classifyMessage(body));
    if (intents.includes("handoff")) {
      return { handoff: { reason: "The customer asked for a person." }, text: handoffText };
    }
    const answers: string[] = [];
    let unanswered = false;
    let fragments = false;
    bodies.forEach((body, position) => {
      if (intents[position] !== "question") return;
      const question = withoutGreeting(body);
      // "is there" has no searchable word: a fragment of a burst, not a question.
      if (termsOf(question).length === 0) fragments = true;
      else {
        const answer = answerOf(question);
        if (answer === undefined) unanswered = true;
        else if (!answers.includes(answer)) answers.push(answer);
      }
    });
    // A question split over messages ("is there" / "parking?") may only match whole.
    if (answers.length === 0 && (unanswered || fragments) && bodies.length > 1) {
      const answer = answerOf(withoutGreeting(bodies.join(" ")));
      if (answer !== undefined) return { text: answer };
    }
    if (answers.length > 0) {
      // Part of a burst went unanswered: say so rather than pretend it was covered.
      if (unanswered) answers.push(partlyAnswered);
      return { text: answers.join("\n\n") };
    }
    if (unanswered || fragments) return { text: fallback };
    if (intents.includes("greeting")) return { text: greeting };
    return { text: acknowledgement };
  };

  return {
    async respond(turn: Turn): Promise<Reply> {
      return answerText(turn);
    },
  };
}

function loadKnowledge(source: FaqAgentOptions["knowledge"]): Knowledge {
  let markdown: string;
  if (typeof source === "string") {
    markdown = source;
  } else if (typeof source === "object" && source !== null && "path" in source) {
    try {
      markdown = readFileSync(source.path, "utf8");
    } catch (error) {
      throw new KnowledgeError(
        `faqAgent: cannot read the knowledge file ${String(source.path)} (option "knowledge.path").`,
        { cause: error },
      );
    }
  } else {
    throw new KnowledgeError(
      `faqAgent: option "knowledge" must be markdown text or { path } of a markdown file.`,
    );
  }
  const knowledge = parseKnowledge(markdown);
  if (knowledge.entries.length === 0) {
    throw new KnowledgeError(
      `faqAgent: the knowledge holds no questions. Write "## Question" headings followed by answers, or "Q:" / "A:" pairs.`,
    );
  }
  return knowledge;
}
