import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";

const require = createRequire(import.meta.url);
let loaded: typeof BetterSqlite3 | undefined;

/**
 * better-sqlite3, loaded when a SQLite mailbox is first opened rather than when the module
 * is imported: importing TwilioProvider from the package root must load no database driver
 * (a native addon costs tens of milliseconds and fails on platforms without a build).
 */
export function betterSqlite3(): typeof BetterSqlite3 {
  loaded ??= require("better-sqlite3") as typeof BetterSqlite3;
  return loaded;
}
