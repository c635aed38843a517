// Bundles the browser code (console, web chat widget, emulator inspector) from
// `src/**/client/*.ts` into `dist/client/*.js` with external source maps. The servers
// read these files once at start (the console and inspector inline them under a CSP
// hash; the widget is served as `/webchat.js`). `npm run build` runs this after tsc.
import { mkdirSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = resolve(root, "dist/client");

/** Bundle name → entry point. The names are what the servers read. */
const entries = {
  console: "src/console/client/main.ts",
  webchat: "src/webchat/client/main.ts",
  inspector: "src/emulator/inspector/client/main.ts",
};

mkdirSync(outdir, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(
    Object.entries(entries).map(([name, entry]) => [name, resolve(root, entry)]),
  ),
  outdir,
  bundle: true,
  format: "iife",
  platform: "browser",
  // Browsers from late 2021 on: class private fields and methods, `??=`, custom elements
  // and `Object.hasOwn` run as written (nothing lowered into helpers).
  target: ["chrome93", "firefox92", "safari15.4", "edge93"],
  sourcemap: "external",
  sourcesContent: true,
  minify: false,
  legalComments: "none",
  charset: "utf8",
  metafile: true,
  logLevel: "warning",
});

// A bundle must hold browser code only: a runtime import of server code (say, a value
// instead of `import type` from `../console-deps.js`) would ship Node code to the page.
const strays = Object.keys(result.metafile.inputs).filter(
  (input) => !/(^|\/)client\/[\w-]+\.ts$/.test(input),
);
if (strays.length > 0) {
  console.error(
    `Browser bundles may import only src/**/client/*.ts at run time; found: ${strays.join(", ")}`,
  );
  process.exit(1);
}
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith(".js")) {
    console.log(`${relative(root, resolve(root, file))}  ${(output.bytes / 1024).toFixed(1)} KB`);
  }
}
