import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importSpecifiers, importsIn } from "../import-specifiers.test-support.js";

// The console and the web chat are thin faces (architecture boundary 1). A face's own files
// import nothing but Node built-ins, the shared errors, the browser-bundle reader, their own
// folder and the HTTP layer's shared helpers; what connects a face to the runtime lives in its `adapter/`
// folder. Neither a face nor its adapter imports the other face.
const faces = ["webchat", "console"] as const;

function faceAllows(specifier: string): boolean {
  return (
    specifier.startsWith("node:") ||
    specifier === "../errors.js" ||
    // Reads the built browser bundle (a leaf with no switchboard imports).
    specifier === "../read-client-bundle.js" ||
    // The one Channel type, a leaf every layer may name.
    specifier === "../channel/channel.js" ||
    // Masking of phone numbers: a leaf (no imports); faces mask every address they show.
    specifier === "../log/mask-phone-numbers.js" ||
    /^\.\/[a-z-]+\.js$/.test(specifier) ||
    /^\.\.\/http\/(json-http|event-stream|request-error|router|token-bucket|client-address|stream-tickets)\.js$/.test(
      specifier,
    )
  );
}

function adapterAllows(face: string, specifier: string): boolean {
  const other = faces.find((name) => name !== face)!;
  if (specifier.startsWith(`../../${other}/`)) return false;
  return (
    /^\.\/[a-z-]+\.js$/.test(specifier) ||
    /^\.\.\/[a-z-]+\.js$/.test(specifier) ||
    /^\.\.\/\.\.\/(errors\.js|runtime\/|twilio\/|mailbox\/)/.test(specifier)
  );
}

/** Test files may also use vitest, the browser driver, test support and either face. */
function testAllows(specifier: string): boolean {
  return (
    faceAllows(specifier) ||
    [
      "vitest",
      "playwright-core",
      "../import-specifiers.test-support.js",
      "../chromium.test-support.js",
    ].includes(specifier) ||
    /^\.\/[a-z-]+(\.test-support)?\.js$/.test(specifier) ||
    /^\.\.\/(webchat|console|http)\/[a-z-]+(\.test-support)?\.js$/.test(specifier)
  );
}

function testImportsIn(folder: URL): [string, string][] {
  return readdirSync(folder)
    .filter((name) => name.endsWith(".test.ts") || name.includes(".test-support."))
    .flatMap((name) =>
      importSpecifiers(readFileSync(new URL(name, folder), "utf8")).map(
        (specifier): [string, string] => [name, specifier],
      ),
    );
}

describe.each(faces)("src/%s", (face) => {
  it.each(testImportsIn(new URL(`../${face}/`, import.meta.url)))(
    "test %s imports %s",
    (_file, specifier) => {
      expect(testAllows(specifier)).toBe(true);
    },
  );

  it.each(importsIn(new URL(`../${face}/`, import.meta.url)))(
    "%s imports %s",
    (_file, specifier) => {
      expect(faceAllows(specifier)).toBe(true);
    },
  );

  it.each(importsIn(new URL(`../${face}/adapter/`, import.meta.url)))(
    "adapter/%s imports %s",
    (_file, specifier) => {
      expect(adapterAllows(face, specifier)).toBe(true);
    },
  );

  it("the rules refuse the other face and the runtime in the face itself", () => {
    const other = faces.find((name) => name !== face)!;
    expect(faceAllows(`../${other}/${other}-api.js`)).toBe(false);
    expect(faceAllows("../runtime/create-switchboard.js")).toBe(false);
    expect(faceAllows("../http/json-http.js")).toBe(true);
    expect(adapterAllows(face, `../../${other}/${other}-deps.js`)).toBe(false);
    expect(adapterAllows(face, "../../runtime/live-event-source.js")).toBe(true);
  });
});
