import { fileURLToPath } from "node:url";

/**
 * The path of the knowledge file shipped with switchboard (a fictional bike shop, "Harbor
 * Bikes"): the brain of the `npm start` demo. Resolved from this module, which sits two
 * levels below the package root both as source (`src/agents/`) and built (`dist/agents/`).
 */
export const sampleKnowledgePath: string = fileURLToPath(
  new URL("../../assets/knowledge/sample-business.md", import.meta.url),
);
