import { afterEach, describe, expect, it } from "vitest";
import { createRuntimeConsoleDeps } from "../../src/console/adapter/runtime-console-deps.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { TwilioProvider } from "../../src/twilio/provider/index.js";
import { createProviderWebchatDeps } from "../../src/webchat/adapter/provider-webchat-deps.js";
import { serveHandler } from "../../src/webchat/serve-handler.test-support.js";
import { createWebchatApi } from "../../src/webchat/webchat-api.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";

let harness: Harness | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await harness?.close();
  harness = undefined;
});

const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 1, 2, 3, 4, 5, 6, 7]);

/** The web chat API over the emulator: the visitor's writes go through a webhook-enabled provider. */
async function webchatOver(h: Harness) {
  const { emulator } = h;
  const visitorProvider = new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
    webhookEnabled: true,
  });
  cleanups.push(() => visitorProvider.stop());
  const deps = createProviderWebchatDeps({
    provider: visitorProvider,
    events: h.switchboard.events,
  });
  const api = createWebchatApi(deps, { secret: "a-test-secret-that-is-long-enough-0123456789" });
  const server = await serveHandler(api);
  cleanups.push(() => server.close());
  const session = (await (
    await fetch(`${server.url}/webchat/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    })
  ).json()) as { token: string; conversationSid: string };
  return { url: server.url, session, deps };
}

describe("web chat uploads end to end (issue 16)", () => {
  it("a visitor's photo reaches the agent as the same image part as a WhatsApp photo", async () => {
    const read: Uint8Array[] = [];
    const agent = recordingAgent({
      respond: async (turn) => {
        const media = turn.media[0];
        if (media?.read !== undefined) read.push(await media.read());
        return { text: "Nice bike." };
      },
    });
    harness = await startHarness({ agent });
    const chat = await webchatOver(harness);
    const response = await fetch(`${chat.url}/webchat/uploads`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${chat.session.token}`,
        "content-type": "image/jpeg",
        "x-filename": encodeURIComponent("chain ring.jpg"),
      },
      body: new Uint8Array(photo),
    });
    expect(response.status).toBe(202);
    const [call] = await agent.waitForCalls(1);
    await eventually(() => (read.length === 1 ? true : undefined), "the bytes read");
    const media = call!.turn.media[0]!;
    expect(media).toMatchObject({
      contentType: "image/jpeg",
      filename: "chain ring.jpg",
      size: photo.byteLength,
    });
    expect(media.sid).toMatch(/^ME[0-9a-f]{32}$/);
    expect(media.url).toBeUndefined();
    expect([...read[0]!]).toEqual([...photo]);
    expect(call!.channel).toMatchObject({ name: "chat" });

    // The widget's history lists it, and hands the visitor the bytes back.
    const history = await chat.deps.history(chat.session.conversationSid, {});
    expect(history[0]).toMatchObject({
      role: "visitor",
      media: [{ contentType: "image/jpeg", filename: "chain ring.jpg" }],
    });
    const bytes = await fetch(`${chat.url}/webchat/media?index=${history[0]!.index}&position=0`, {
      headers: { authorization: `Bearer ${chat.session.token}` },
    });
    expect(bytes.status).toBe(200);
    expect(Buffer.from(await bytes.arrayBuffer())).toEqual(photo);

    // The console shows it under the visitor's message.
    const consoleDeps = createRuntimeConsoleDeps({
      switchboard: harness.switchboard,
      info: { mode: "dev" } as never,
      sendAsHuman: async () => ({}),
    });
    const transcript = await eventually(async () => {
      const found = await consoleDeps.transcript(chat.session.conversationSid);
      return found?.messages.some((message) => message.media.length > 0) ? found : undefined;
    }, "the console transcript");
    expect(transcript.messages.find((message) => message.media.length > 0)?.media[0]).toMatchObject(
      {
        contentType: "image/jpeg",
      },
    );
    // Media stays out of logs: neither the file name nor a media link is logged.
    expect(JSON.stringify(harness.log.lines)).not.toMatch(/_emulator\/media|chain ring/);
  });

  it("a forged upload never reaches Twilio or the agent", async () => {
    const agent = recordingAgent({ respond: () => "hi" });
    harness = await startHarness({ agent });
    const chat = await webchatOver(harness);
    const response = await fetch(`${chat.url}/webchat/uploads`, {
      method: "POST",
      headers: { authorization: `Bearer ${chat.session.token}`, "content-type": "image/jpeg" },
      body: new TextEncoder().encode("<script>alert(1)</script>"),
    });
    expect(response.status).toBe(415);
    await harness.emulator.idle();
    expect(await chat.deps.history(chat.session.conversationSid, {})).toEqual([]);
    expect(agent.calls).toHaveLength(0);
  });
});
