import { type Browser, chromium } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";

/**
 * Test support: Debian's Chromium, headless, as every browser test launches it (the project
 * never downloads a browser; install the `chromium` package).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/**
 * Test support: one Chromium for a test file (launched before its tests, closed after) and
 * a list of cleanups run newest first after each test (pages, servers).
 */
export function chromiumForTests(): {
  readonly browser: Browser;
  readonly cleanups: Array<() => Promise<void> | void>;
} {
  let launched: Browser | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    launched = await launchChromium();
  });
  afterAll(async () => {
    await launched?.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    get browser() {
      if (launched === undefined) throw new Error("Chromium is launched in beforeAll.");
      return launched;
    },
    cleanups,
  };
}
