// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import type { ConsoleConversation } from "../console-deps.js";
import { TranscriptView } from "./transcript-view.js";

const conversation = (overrides: Partial<ConsoleConversation> = {}): ConsoleConversation => ({
  sid: "CH1",
  channel: "sms",
  customer: "+15550000001",
  state: "human",
  lastMessage: null,
  updatedAt: "2026-12-06T10:00:00Z",
  typing: false,
  ...overrides,
});

describe("the transcript of a conversation Twilio no longer has", () => {
  let panel: HTMLElement;
  let view: TranscriptView;
  beforeEach(() => {
    document.body.innerHTML = '<section id="transcript"></section>';
    panel = document.querySelector("section")!;
    view = new TranscriptView(panel, { act: async () => {}, reply: async () => true });
    view.build();
  });

  it("says it is gone, with Twilio's reason, and offers no reply box and no action", () => {
    // A person had it: the reply box was there.
    view.renderHead(conversation(), []);
    expect(panel.querySelector(".composer textarea")).not.toBeNull();

    view.renderHead(
      conversation({ state: "gone", goneReason: "not_found: messages.list failed", typing: true }),
      [],
    );
    const banner = panel.querySelector<HTMLElement>(".banner")!;
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toMatch(/no longer exists in Twilio/);
    expect(banner.textContent).toContain("not_found: messages.list failed");
    expect(panel.querySelector(".composer textarea")).toBeNull();
    expect(panel.querySelector(".composer")?.textContent).toMatch(/Replies are off/);
    expect(panel.querySelectorAll(".actions button")).toHaveLength(0);
    expect(panel.querySelector(".badge.state-gone")?.textContent).toBe("Gone");
    expect(panel.querySelector<HTMLElement>(".typing")!.hidden).toBe(true);
  });
});
