import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);
let nowhere: string;

beforeAll(async () => {
  if (!existsSync(`${root}dist/testing/index.js`))
    throw new Error("dist/ is missing: run npm run build (npm test does it first).");
  nowhere = await mkdtemp(join(tmpdir(), "switchboard-no-vitest-"));
});
afterAll(() => rm(nowhere, { recursive: true, force: true }));

/**
 * Runs `script` (an ES module importing `switchboard…` by name, as an installed copy would)
 * in a fresh Node whose resolver looks for vitest from an empty folder: Node itself answers
 * ERR_MODULE_NOT_FOUND, exactly as for an app that never installed the optional peer.
 */
async function runWithoutVitest(script: string): Promise<Record<string, unknown>> {
  const hooks = `export async function resolve(specifier, context, nextResolve) {
  if (/^(?:vitest|@vitest\\/)/.test(specifier))
    return nextResolve(specifier, { ...context, parentURL: ${JSON.stringify(pathToFileURL(join(nowhere, "app.js")).href)} });
  return nextResolve(specifier, context);
}`;
  const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  const { stdout } = await run(
    process.execPath,
    [
      "--import",
      `data:text/javascript,${encodeURIComponent(register)}`,
      "--input-type=module",
      "-e",
      script,
    ],
    { cwd: root, timeout: 60_000 },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('import("switchboard/testing") without vitest installed', () => {
  it("loads, signs a webhook and starts the emulator; only the contract suite asks for vitest", async () => {
    const result = await runWithoutVitest(`
const control = await import("vitest").then(() => "resolved", (error) => error.code);
const kit = await import("switchboard/testing");
const request = kit.signedWebhookRequest({ url: "http://127.0.0.1:3000/twilio/webhook", authToken: "token" });
const emulator = await kit.startEmulator({ port: 0 });
const emulatorUrl = emulator.url;
await emulator.close();
let refusal;
try {
  kit.describeMailboxContract("no vitest", async () => { throw new Error("never built"); });
} catch (error) {
  refusal = { name: error.name, code: error.code, message: error.message, cause: error.cause?.code };
}
process.stdout.write(JSON.stringify({ control, signature: request.headers["x-twilio-signature"], emulatorUrl, refusal }));
`);
    // The probe really hides vitest: importing it fails the way a missing package does.
    expect(result.control).toBe("ERR_MODULE_NOT_FOUND");
    expect(result.signature).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(result.emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(result.refusal).toMatchObject({
      name: "SwitchboardError",
      code: "missing_peer_dependency",
      cause: "ERR_MODULE_NOT_FOUND",
    });
    expect(String((result.refusal as { message: string }).message)).toMatch(
      /npm install --save-dev vitest/,
    );
  });
});
