import type { Agent } from "../agents/types.js";
import { withSpan } from "../telemetry/with-span.js";
import type { Metrics } from "./create-metrics.js";

/**
 * The agent inside a `switchboard.agent` span, its latency in
 * `switchboard_agent_latency_seconds{outcome}`. An optional pause before it answers
 * (`delayMs`) lets a demo or a browser test see the typing indicator of an instant agent.
 */
export function observedAgent(agent: Agent, metrics: Metrics, delayMs = 0): Agent {
  return {
    ...agent,
    respond: (turn, context) =>
      withSpan(
        "switchboard.agent",
        { conversationSid: context.conversation.sid, channel: context.conversation.channel },
        async () => {
          const stop = metrics.agentLatency.startTimer();
          try {
            if (delayMs > 0) await pause(delayMs, context.signal);
            const reply = await agent.respond(turn, context);
            stop({ outcome: "ok" });
            return reply;
          } catch (error) {
            stop({ outcome: "error" });
            throw error;
          }
        },
      ),
  };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
