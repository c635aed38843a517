import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const twilioFolder = dirname(fileURLToPath(import.meta.url));
const sourceRoot = resolve(twilioFolder, "..");

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

function importsOf(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = readFileSync(file, "utf8");
  const found: { specifier: string; typeOnly: boolean }[] = [];
  for (const match of text.matchAll(
    /^\s*(import|export)\s+(type\s+)?[^"']*?from\s+["']([^"']+)["']/gm,
  )) {
    found.push({ specifier: match[3] ?? "", typeOnly: match[2] !== undefined });
  }
  for (const match of text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) {
    found.push({ specifier: match[1] ?? "", typeOnly: false });
  }
  return found;
}

/** twilio/ sits low in the stack: it may use the leaves (errors, config, log, channel, the unknown-option check and its message helpers), never the layers above. */
const allowedOutside = new Set([
  "errors.ts",
  "config.ts",
  "log.ts",
  "refuse-unknown-options.ts",
  "nearest-name.ts",
  "describe-value.ts",
]);
/** Runtime dependencies twilio/ may use: the official SDK and the resilience library (provider). */
const allowedPackages = new Set(["twilio", "cockatiel"]);

describe("the twilio boundary", () => {
  const files = sourceFiles(twilioFolder);

  it("has source files to check", () => {
    expect(files.length).toBeGreaterThan(5);
    // The import reader must actually see imports, or every file would pass vacuously.
    expect(importsOf(join(twilioFolder, "config.ts")).map((entry) => entry.specifier)).toEqual([
      "twilio",
      "../errors.js",
      "./logger.js",
    ]);
  });

  it.each(files.map((file) => [relative(sourceRoot, file), file]))(
    "%s imports only twilio/, the leaves, node: and the SDK",
    (_name, file) => {
      for (const { specifier, typeOnly } of importsOf(file)) {
        if (specifier.startsWith("node:")) continue;
        if (specifier.startsWith(".")) {
          const target = relative(sourceRoot, resolve(dirname(file), specifier)).replace(
            /\.js$/,
            ".ts",
          );
          const inside =
            target.startsWith("twilio/") ||
            allowedOutside.has(target) ||
            target.startsWith("log/") ||
            target.startsWith("channel/");
          expect(inside, `${specifier} → src/${target}`).toBe(true);
          continue;
        }
        const packageName = specifier.split("/")[0] ?? specifier;
        // Framework types would leak dev dependencies into the published .d.ts.
        expect(
          allowedPackages.has(packageName) && (typeOnly || specifier === packageName),
          specifier,
        ).toBe(true);
      }
    },
  );
});
