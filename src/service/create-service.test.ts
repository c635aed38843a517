import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { context, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import { type Emulator, startEmulator } from "../emulator/start-emulator.js";
import { createLogger } from "../log/create-logger.js";
import { TestAsyncContextManager } from "../telemetry/async-local-storage-context-manager.test-support.js";
import { freePortForTest } from "./free-port.test-support.js";
import { type RunningService, startService } from "./start-service.js";

/**
 * The assembled service in-process, with an OpenTelemetry SDK registered: one SMS gives a
 * webhook span, a turn span with the agent span inside it, and a send span; the log masks
 * the customer's number; `close()` stops everything.
 */
let emulator: Emulator;
let service: RunningService;
let directory: string;
const exporter = new InMemorySpanExporter();
const tracing = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const logLines: string[] = [];

beforeAll(async () => {
  trace.setGlobalTracerProvider(tracing);
  context.setGlobalContextManager(new TestAsyncContextManager());
  directory = mkdtempSync(join(tmpdir(), "start-service-"));
  const port = await freePortForTest();
  emulator = await startEmulator({ webhookUrl: `http://127.0.0.1:${port}/twilio/webhook` });
  service = await startService({
    mode: "dev",
    port,
    host: "127.0.0.1",
    stateDirectory: directory,
    database: { kind: "sqlite", path: join(directory, "mailbox.db") },
    agent: functionAgent(async (turn) => `You said: ${turn.text}`),
    twilio: {
      accountSid: emulator.accountSid,
      authToken: emulator.authToken,
      serviceSid: emulator.serviceSid,
      httpClient: emulator.httpClient(),
    },
    webhookPath: "/twilio/webhook",
    consoleInfo: { channels: ["sms"], numbers: {} },
    logger: createLogger({
      level: "debug",
      env: {},
      destination: {
        write: (line: string) => {
          logLines.push(line);
        },
      },
    }),
  });
});
afterAll(async () => {
  await service?.close();
  await emulator?.close();
  await tracing.shutdown();
  trace.disable();
  context.disable();
  rmSync(directory, { recursive: true, force: true });
});

const named = (spans: ReadableSpan[], name: string) => spans.filter((span) => span.name === name);

describe("startService", () => {
  it("traces webhook, turn ⊃ agent, and send; masks numbers in its logs", async () => {
    const customer = emulator.customer({ channel: "sms", address: "+15551239876" });
    await customer.send("hello");
    while (customer.messages().length === 0)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(customer.messages()[0]!.body).toBe("You said: hello");
    const spans = exporter.getFinishedSpans();
    expect(named(spans, "switchboard.webhook").length).toBeGreaterThanOrEqual(1);
    const [turn] = named(spans, "switchboard.turn");
    const [agent] = named(spans, "switchboard.agent");
    expect(turn).toBeDefined();
    expect(agent?.parentSpanContext?.spanId).toBe(turn!.spanContext().spanId);
    expect(turn!.attributes["switchboard.conversation.sid"]).toMatch(/^CH/);
    while (named(exporter.getFinishedSpans(), "switchboard.send").length === 0)
      await new Promise((resolve) => setTimeout(resolve, 20));
    // The webhook's author is logged, masked.
    expect(logLines.join("")).toContain('"author":"+1555***9876"');
    expect(logLines.join("")).not.toContain("+15551239876");
  });

  it("closes: the port stops answering", async () => {
    const url = `http://127.0.0.1:${service.port}/healthz`;
    expect((await fetch(url)).status).toBe(200);
    await service.close();
    await expect(fetch(url)).rejects.toThrow();
    await service.close();
  });
});
