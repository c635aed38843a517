import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** A browser bundle built by `scripts/build-client.mjs` (console, web chat, inspector). */
export interface ClientBundle {
  /** The script, ending with a `sourceMappingURL` comment that names `mapPath`. */
  script: string;
  /** Its source map (JSON), to serve at `mapPath`. */
  map: string;
  /** `'sha256-…'` of `script`, for a Content-Security-Policy that inlines it. */
  hash: string;
}

// The package root, from `src/read-client-bundle.ts` (tests) or `dist/read-client-bundle.js`.
const bundleFolder = new URL("../dist/client/", import.meta.url);
const cache = new Map<string, ClientBundle>();

/**
 * Reads `dist/client/<name>.js` and its source map, once per process. esbuild's
 * file-relative map comment is replaced by `mapPath`, where the face serves the map.
 * Throws, saying how to build it, when the bundle is missing: a page must never ship
 * without its script.
 */
export function readClientBundle(
  name: "console" | "webchat" | "inspector",
  mapPath: string,
  folder: URL = bundleFolder,
): ClientBundle {
  const key = `${folder.href}|${name}|${mapPath}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const scriptUrl = new URL(`${name}.js`, folder);
  let script: string;
  let map: string;
  try {
    script = readFileSync(scriptUrl, "utf8");
    map = readFileSync(new URL(`${name}.js.map`, folder), "utf8");
  } catch (error) {
    throw new Error(
      `The ${name} page's browser bundle ${scriptUrl.pathname} is missing: run \`npm run build\` (npm test runs it first).`,
      { cause: error },
    );
  }
  // Inlined in a page, the script must not be able to close its own element.
  if (/<\/script/i.test(script)) throw new Error(`The ${name} bundle contains "</script"`);
  const text = `${script.replace(/\/\/# sourceMappingURL=\S+\s*$/, "")}//# sourceMappingURL=${mapPath}\n`;
  const bundle = {
    script: text,
    map,
    hash: `'sha256-${createHash("sha256").update(text).digest("base64")}'`,
  };
  cache.set(key, bundle);
  return bundle;
}
