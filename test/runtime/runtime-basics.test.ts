import { afterEach, describe, expect, it } from "vitest";
import { functionAgent } from "../../src/agents/function-agent.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import { sdkRuntimeProvider } from "./sdk-runtime-provider.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("switchboard over the emulator", () => {
  it.each([
    ["TwilioProvider", undefined],
    ["another RuntimeProvider (the bare SDK)", sdkRuntimeProvider],
  ] as const)(
    "answers an inbound SMS through webhook, agent and outbox with %s",
    async (_, provider) => {
      harness = await startHarness({
        agent: functionAgent(async (turn) => `You said: ${turn.text}`),
        ...(provider === undefined ? {} : { provider }),
      });
      const customer = harness.emulator.customer({ channel: "sms", address: "+15551230001" });
      await customer.send("hello");
      const received = await eventually(
        () => (customer.messages().length > 0 ? customer.messages() : undefined),
        "the reply on the customer's phone",
      );
      expect(received.map((message) => message.body)).toEqual(["You said: hello"]);
    },
  );
});
