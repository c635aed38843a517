/** One question and its answer from a knowledge file. */
export interface KnowledgeEntry {
  question: string;
  /** The answer as written (markdown); shaped for the channel when sent. */
  answer: string;
  /** Extra words customers use for this question (`<!-- keywords: … -->`, section title). */
  keywords: string[];
}

/** A parsed knowledge file. */
export interface Knowledge {
  /** The `# Title` of the file, usually the business name. */
  title?: string;
  entries: KnowledgeEntry[];
}

const headingPattern = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const questionPattern = /^\s*(?:[*_]{2})?Q(?:uestion)?\s*:\s*(?:[*_]{2})?\s*(.*)$/i;
const answerPattern = /^\s*(?:[*_]{2})?A(?:nswer)?\s*:\s*(?:[*_]{2})?\s*(.*)$/i;
const keywordsPattern = /<!--\s*keywords\s*:([\s\S]*?)-->/gi;
const fencePattern = /^\s*(```|~~~)/;

interface Draft {
  question: string[];
  answer: string[];
  /** `heading`: a `## question`; `pair`: a `Q:`/`A:` pair, `inAnswer` once `A:` was seen. */
  kind: "heading" | "pair";
  inAnswer: boolean;
  section: string | undefined;
}

/**
 * Reads a markdown Q&A file. Two forms, which may be mixed:
 *
 * ```md
 * ## What are your opening hours?
 * Tuesday to Sunday, 9am to 6pm.
 *
 * ## Shipping
 * Q: Do you ship abroad?
 * A: Not yet.
 * ```
 *
 * A `##` heading followed by text is a question with its answer; a `##` heading followed
 * directly by `Q:`/`A:` pairs is a section title, added to those pairs' keywords. Deeper
 * headings (`###`) belong to the answer. `<!-- keywords: a, b -->` in an answer adds
 * search words and is removed from the answer. Entries with no answer are left out.
 */
export function parseKnowledge(markdown: string): Knowledge {
  const entries: KnowledgeEntry[] = [];
  let title: string | undefined;
  let draft: Draft | undefined;
  let section: string | undefined;
  let inFence = false;

  const finish = () => {
    if (draft === undefined) return;
    const entry = toEntry(draft);
    if (entry !== undefined) entries.push(entry);
    draft = undefined;
  };

  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    if (fencePattern.test(line)) inFence = !inFence;
    if (!inFence) {
      const heading = headingPattern.exec(line);
      if (heading !== null && heading[1]!.length <= 2) {
        finish();
        if (heading[1]!.length === 1) {
          title ??= heading[2]!;
          section = undefined;
        } else {
          section = heading[2]!;
          draft = {
            question: [heading[2]!],
            answer: [],
            kind: "heading",
            inAnswer: true,
            section: undefined,
          };
        }
        continue;
      }
      const question = questionPattern.exec(line);
      if (question !== null) {
        // A heading with no text of its own before its first Q: is a section title.
        if (draft?.kind === "heading" && draft.answer.join("").trim() === "") draft = undefined;
        finish();
        draft = { question: [question[1]!], answer: [], kind: "pair", inAnswer: false, section };
        continue;
      }
      const answer = draft?.kind === "pair" && !draft.inAnswer ? answerPattern.exec(line) : null;
      if (answer !== null && draft !== undefined) {
        draft.inAnswer = true;
        draft.answer.push(answer[1]!);
        continue;
      }
    }
    if (draft === undefined) continue;
    if (draft.inAnswer) draft.answer.push(line);
    else if (line.trim() !== "") draft.question.push(line.trim());
  }
  finish();
  return title === undefined ? { entries } : { title, entries };
}

function toEntry(draft: Draft): KnowledgeEntry | undefined {
  const keywords: string[] = [];
  const answer = unwrapParagraphs(draft.answer)
    .replace(keywordsPattern, (_, words: string) => {
      keywords.push(
        ...words
          .split(",")
          .map((word) => word.trim())
          .filter((word) => word !== ""),
      );
      return "";
    })
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  const question = draft.question.join(" ").trim();
  if (question === "" || answer === "") return undefined;
  if (draft.kind === "pair" && draft.section !== undefined) keywords.push(draft.section);
  return { question, answer, keywords };
}

const blockStartPattern = /^\s*(?:[-*+]\s|\d+[.)]\s|#|>|```|~~~|\||<!--)/;

/**
 * Knowledge files are hard-wrapped for editing, but in markdown a single line break inside
 * a paragraph is a space. Joining those lines keeps SMS and WhatsApp answers from breaking
 * mid-sentence; lists, headings, quotes, tables and code keep their lines.
 */
function unwrapParagraphs(lines: readonly string[]): string {
  const output: string[] = [];
  let inFence = false;
  for (const line of lines) {
    if (fencePattern.test(line)) inFence = !inFence;
    const previous = output.at(-1);
    const joinable =
      !inFence &&
      previous !== undefined &&
      previous.trim() !== "" &&
      line.trim() !== "" &&
      !blockStartPattern.test(line) &&
      !/^\s*(?:```|~~~|#|\||<!--)/.test(previous) &&
      !/(?: {2}|\\)$/.test(previous);
    if (joinable) output[output.length - 1] = `${previous} ${line.trim()}`;
    else output.push(line);
  }
  return output.join("\n");
}
