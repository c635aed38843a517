import { access } from "node:fs/promises";
import { extname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigFileError } from "./config-file-error.js";
import type { SwitchboardConfig } from "./switchboard-config.js";
import { validateConfig } from "./validate-config.js";

/** The file names looked for, in this order, in the working directory. */
export const configFileNames = [
  "switchboard.config.ts",
  "switchboard.config.mts",
  "switchboard.config.js",
  "switchboard.config.mjs",
] as const;

/** Options of {@link loadConfigFile}. */
export interface LoadConfigFileOptions {
  /** Where to look for the file, and what a relative `path` is relative to. */
  cwd: string;
  /** An explicit file (`--config`): it must exist. */
  path?: string;
  /**
   * Whether this Node can import `.ts` files. Default: `process.features.typescript`
   * (Node 22.18 and later strip types by default). Injected by tests.
   */
  typescript?: boolean;
}

/** A config file found and validated. */
export interface LoadedConfigFile {
  /** Absolute path of the file. */
  path: string;
  config: SwitchboardConfig;
}

const typescriptExtensions = new Set([".ts", ".mts", ".cts"]);

/**
 * Finds, imports and validates the config file. With `path`, that file must exist; without
 * it, the first of {@link configFileNames} in `cwd` is used, and `undefined` means there is
 * none (the service runs on environment and defaults).
 *
 * TypeScript files are imported natively: Node 22.18+ strips type annotations (only
 * erasable syntax — no `enum` or `namespace`). On an older Node the error says so and
 * suggests `.mjs`. Every failure is a {@link ConfigFileError} naming the file.
 */
export async function loadConfigFile(
  options: LoadConfigFileOptions,
): Promise<LoadedConfigFile | undefined> {
  const path = await findConfigFile(options);
  if (path === undefined) return undefined;
  const typescript = options.typescript ?? Boolean(process.features.typescript);
  if (typescriptExtensions.has(extname(path)) && !typescript) {
    throw new ConfigFileError(path, [
      `this Node (${process.version}) cannot import TypeScript files; use Node 22.18 or later, or write the config as switchboard.config.mjs`,
    ]);
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigFileError(path, [`could not be imported: ${reason}`], { cause });
  }
  if (!("default" in module) || module.default === undefined) {
    throw new ConfigFileError(path, [
      "has no default export; write export default defineConfig({ … })",
    ]);
  }
  return { path, config: validateConfig(module.default, path) };
}

async function findConfigFile(options: LoadConfigFileOptions): Promise<string | undefined> {
  if (options.path !== undefined) {
    const path = isAbsolute(options.path) ? options.path : resolve(options.cwd, options.path);
    if (!(await exists(path))) throw new ConfigFileError(path, ["does not exist"]);
    const extension = extname(path);
    if (![".ts", ".mts", ".js", ".mjs"].includes(extension)) {
      throw new ConfigFileError(path, [
        `has the extension "${extension}"; a config file is .ts, .mts, .js or .mjs`,
      ]);
    }
    return path;
  }
  for (const name of configFileNames) {
    const path = resolve(options.cwd, name);
    if (await exists(path)) return path;
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
