import { describe, expect, it } from "vitest";
import { importSpecifiers, importsIn } from "../import-specifiers.test-support.js";

// The runtime knows mailbox, agents and Twilio together, and nothing of HTTP, of the faces
// above it, or of the emulator (which stands beside the product; only the CLI wires them
// together). It reaches Twilio only through the narrow RuntimeProvider type and the
// webhook types; HTTP mounts it (`serveSwitchboard`), never the other way round.
const runtimeForbidden =
  /^(twilio|better-sqlite3|pg|node:http|node:https|node:net)$|\/(emulator|cli|console|webchat|http|service|metrics)\/|\/twilio\/(provider|webhook\/handlers)\//;

// The HTTP layer parses HTTP and hands events on; it holds no business rules, so it needs
// neither the mailbox, the agents, the runtime nor the faces it routes to.
const httpForbidden = /\/(runtime|mailbox|agents|emulator|cli|service|console|webchat|metrics)\//;

describe("src/runtime imports", () => {
  it.each(importsIn(new URL("./", import.meta.url)))("%s imports %s", (_file, specifier) => {
    expect(specifier).not.toMatch(runtimeForbidden);
  });

  it("the rule refuses HTTP in the runtime, in every form of import", () => {
    const violating = [
      'import { listenHttp } from "../http/listen-http.js";',
      'export { createRouter } from "../http/router.js";',
      'import "../http/router.js";',
      'const { createServer } = await import("node:http");',
      'import { createNodeWebhookHandler } from "../twilio/webhook/handlers/node-handler.js";',
    ];
    for (const source of violating) {
      const [specifier] = importSpecifiers(source);
      expect(specifier, source).toMatch(runtimeForbidden);
    }
  });
});

describe("src/http imports", () => {
  it.each(importsIn(new URL("../http/", import.meta.url)))("%s imports %s", (_file, specifier) => {
    expect(specifier).not.toMatch(httpForbidden);
  });

  it("the rule refuses the runtime and the faces in HTTP", () => {
    for (const specifier of [
      "../runtime/create-switchboard.js",
      "../webchat/webchat-api.js",
      "../mailbox/sqlite-mailbox.js",
    ])
      expect(specifier).toMatch(httpForbidden);
    expect("../twilio/webhook/handlers/node-handler.js").not.toMatch(httpForbidden);
  });
});
