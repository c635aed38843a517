import { describe, expect, it } from "vitest";
import { SwitchboardEvents } from "../runtime/switchboard-events.js";
import { countEvents } from "./count-events.js";
import { createMetrics } from "./create-metrics.js";

describe("runtime events as metrics", () => {
  it("totals the segments and messages of sent SMS replies by encoding", async () => {
    const events = new SwitchboardEvents();
    const metrics = createMetrics();
    countEvents(events, metrics);
    const sent = (sms?: { encoding: "GSM-7" | "UCS-2"; segments: number }) =>
      events.emit("reply.sent", {
        conversationSid: "CH1",
        replyId: "r",
        messageSid: "IM1",
        reconciled: false,
        ...(sms === undefined ? {} : { sms }),
      });
    sent({ encoding: "GSM-7", segments: 2 });
    sent({ encoding: "GSM-7", segments: 1 });
    sent({ encoding: "UCS-2", segments: 3 });
    sent(); // WhatsApp and web chat replies cost no segments.
    const { body } = await metrics.render();
    expect(body).toContain('switchboard_sms_segments_total{encoding="GSM-7"} 3');
    expect(body).toContain('switchboard_sms_segments_total{encoding="UCS-2"} 3');
    expect(body).toContain('switchboard_sms_messages_total{encoding="GSM-7"} 2');
    expect(body).toContain('switchboard_sms_messages_total{encoding="UCS-2"} 1');
    expect(body).toContain('switchboard_sends_total{outcome="sent"} 4');
  });

  it("counts interrupted turns apart from answered ones", async () => {
    const events = new SwitchboardEvents();
    const metrics = createMetrics();
    countEvents(events, metrics);
    events.emit("turn.interrupted", { conversationSid: "CH1", turnId: "IM1" });
    events.emit("turn.completed", { conversationSid: "CH1", turnId: "IM1", replies: 1 });
    const { body } = await metrics.render();
    expect(body).toContain('switchboard_turns_total{outcome="interrupted"} 1');
    expect(body).toContain('switchboard_turns_total{outcome="ok"} 1');
  });
});
