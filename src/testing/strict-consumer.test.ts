import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);
let app: string;

/**
 * An app of its own with switchboard installed (a link to this package, read through its
 * "exports" and the built declarations) and a strict tsconfig, as a user would have.
 */
beforeAll(async () => {
  if (!existsSync(`${root}dist/index.d.ts`))
    throw new Error("dist/ is missing: run npm run build (npm test does it first).");
  app = await mkdtemp(join(tmpdir(), "switchboard-consumer-"));
  await mkdir(join(app, "node_modules", "@types"), { recursive: true });
  await symlink(root, join(app, "node_modules", "switchboard"), "dir");
  await symlink(
    join(root, "node_modules", "@types", "node"),
    join(app, "node_modules", "@types", "node"),
    "dir",
  );
  await writeFile(join(app, "package.json"), JSON.stringify({ type: "module", private: true }));
  await writeFile(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        exactOptionalPropertyTypes: true,
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2023",
        lib: ["es2023", "dom"],
        types: ["node"],
        skipLibCheck: true,
        noEmit: true,
      },
      files: ["app.ts"],
    }),
  );
});
afterAll(() => rm(app, { recursive: true, force: true }));

/** `tsc`'s diagnostics for `source` as the app's only file; empty when it compiles. */
async function typeErrors(source: string): Promise<string> {
  await writeFile(join(app, "app.ts"), source);
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  try {
    await run(process.execPath, [tsc, "-p", app], { cwd: app, timeout: 60_000 });
    return "";
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe("a strict TypeScript app using the built package", () => {
  it("can name every type the public signatures use", async () => {
    const errors = await typeErrors(`
import {
  createFastifyWebhookPlugin,
  parseWebhookEvent,
  SendDeadlineError,
  type FastifyInstanceLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
  type HeaderRecord,
  type ReadWebhookRequestOptions,
  type TwilioDeliveryReceipt,
  type TwilioProvider,
  type WebhookEventMeta,
  type WebhookRequestParts,
  webhookEventFromParams,
} from "switchboard";

export type Receipts = Awaited<ReturnType<TwilioProvider["listDeliveryReceipts"]>>;
export const receipts: TwilioDeliveryReceipt[] = [] satisfies Receipts;
export const isDeadline = (error: unknown): error is SendDeadlineError =>
  error instanceof SendDeadlineError;
export const plugin: (fastify: FastifyInstanceLike) => Promise<void> =
  createFastifyWebhookPlugin({ path: "/twilio/webhook", verify: false, onEvent: () => {} });
export type Route = (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>;
export const headers: HeaderRecord = { host: "example.com" };
export const parts: WebhookRequestParts = { url: "/twilio/webhook", headers };
export const limits: ReadWebhookRequestOptions = { maxBodyBytes: 4096 };
export const parsing = parseWebhookEvent(parts, { ...limits, verify: false });
export const meta: WebhookEventMeta = {};
export const event = webhookEventFromParams({}, meta);
`);
    expect(errors).toBe("");
  });

  it("the probe reports a name the package does not export", async () => {
    expect(await typeErrors('import type { NotExported } from "switchboard";\n')).toMatch(/TS2305/);
  });
});
