import { readdirSync, readFileSync } from "node:fs";

/**
 * Every module specifier a source imports or re-exports — static, side-effect and dynamic
 * (`import("…")`) — so a boundary test cannot be slipped past by the form of the import.
 */
export function importSpecifiers(source: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\bfrom\s+["']([^"']+)["']/gm,
    /^\s*import\s+["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

/** The product (non-test) `.ts` files directly in `folder`. */
export function productFiles(folder: URL): string[] {
  return readdirSync(folder).filter(
    (name) =>
      name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.includes(".test-support."),
  );
}

/** `[file, specifier]` for every import of every product file directly in `folder`. */
export function importsIn(folder: URL): [string, string][] {
  return productFiles(folder).flatMap((name) =>
    importSpecifiers(readFileSync(new URL(name, folder), "utf8")).map(
      (specifier): [string, string] => [name, specifier],
    ),
  );
}
