import { type Browser, chromium } from "playwright-core";

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
