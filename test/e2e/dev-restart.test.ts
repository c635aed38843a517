import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, killChildren, requireBuiltCli, runCli, waitFor } from "./run-cli.js";

/**
 * `npm start`, chat, Ctrl+C, `npm start` again — as a newcomer does it, with the built CLI
 * in one project folder: the emulator's state survives the restart beside the mailbox, so
 * old conversations answer, a returning web chat visitor continues, nobody appears twice,
 * and the log stays clean. Also `dev --fresh`, a corrupt state file, and the operator
 * commands finding the running `dev` without any TWILIO_* variable.
 */
beforeAll(requireBuiltCli);
afterAll(killChildren);

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

async function project() {
  const cwd = mkdtempSync(join(tmpdir(), "switchboard-restart-"));
  folders.push(cwd);
  return { cwd, port: await freePort(), emulatorPort: await freePort() };
}

type Project = Awaited<ReturnType<typeof project>>;

async function dev(where: Project, args: string[] = []) {
  const cli = runCli(["dev", ...args], {
    cwd: where.cwd,
    env: {
      PORT: String(where.port),
      EMULATOR_PORT: String(where.emulatorPort),
      LOG_LEVEL: "warn",
    },
  });
  await cli.printed(/Press Ctrl\+C/);
  return {
    cli,
    url: `http://127.0.0.1:${where.port}`,
    emulatorUrl: `http://127.0.0.1:${where.emulatorPort}`,
  };
}

async function json<T>(response: Promise<Response>): Promise<{ status: number; body: T }> {
  const answer = await response;
  const text = await answer.text();
  return { status: answer.status, body: (text === "" ? {} : JSON.parse(text)) as T };
}

const post = (url: string, body: unknown, token?: string) =>
  fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });

interface Transcript {
  messages: { role: string; body: string | null }[];
}

async function transcriptWithAnswers(url: string, sid: string, answers: number) {
  return waitFor(
    async () => (await json<Transcript>(fetch(`${url}/api/conversations/${sid}`))).body,
    (body) => (body.messages ?? []).filter((message) => message.role === "agent").length >= answers,
  );
}

/** What an error or a stack trace looks like in the pretty log. */
const trouble = /\b(ERROR|WARN|Error:)|^\s+at \S+ \(|\bat .+\.js:\d+/m;

describe("switchboard dev across a restart", () => {
  it("continues where it stopped: old SMS and web chat conversations answer, no duplicate customer, a clean log", async () => {
    const where = await project();
    const first = await dev(where);
    expect(first.cli.stdout()).toMatch(/Account SID AC[0-9a-f]{32}\s+Auth token [0-9a-f]{32}/);
    expect(existsSync(join(where.cwd, ".switchboard", "dev.json"))).toBe(true);

    const sms = await json<{ conversationSid: string }>(
      post(`${first.emulatorUrl}/_emulator/inbound`, {
        channel: "sms",
        from: "+15551230001",
        body: "When are you open?",
      }),
    );
    expect(sms.status).toBe(201);
    const visitor = await json<{ token: string; conversationSid: string }>(
      post(`${first.url}/webchat/session`, {}),
    );
    expect(visitor.status).toBe(201);
    expect(
      (
        await post(
          `${first.url}/webchat/messages`,
          { text: "Do you rent bikes?" },
          visitor.body.token,
        )
      ).status,
    ).toBe(202);
    await transcriptWithAnswers(first.url, sms.body.conversationSid, 1);
    await transcriptWithAnswers(first.url, visitor.body.conversationSid, 1);

    // Ctrl+C.
    expect(await first.cli.stop("SIGINT")).toBe(0);
    expect(existsSync(join(where.cwd, ".switchboard", "dev.json"))).toBe(false);
    expect(existsSync(join(where.cwd, ".switchboard", "emulator.db"))).toBe(true);

    const second = await dev(where);
    // The same customer writes again: same conversation, answered.
    const again = await json<{ conversationSid: string }>(
      post(`${second.emulatorUrl}/_emulator/inbound`, {
        channel: "sms",
        from: "+15551230001",
        body: "Do you repair bikes?",
      }),
    );
    expect(again.status).toBe(201);
    expect(again.body.conversationSid).toBe(sms.body.conversationSid);
    const smsTranscript = await transcriptWithAnswers(second.url, sms.body.conversationSid, 2);
    expect(smsTranscript.messages.map((message) => message.body)).toContain("When are you open?");
    // The transcript shows a reply once it is queued; the device has it once it is sent.
    const device = await waitFor(
      () =>
        json<{ messages: { body: string }[] }>(
          fetch(
            `${second.emulatorUrl}/_emulator/devices/${encodeURIComponent("+15551230001")}/messages`,
          ),
        ),
      (answer) => answer.body.messages.length >= 2,
    );
    expect(device.body.messages).toHaveLength(2);

    // The returning visitor's widget resumes its conversation and is answered.
    const resumed = await json<{ token: string; conversationSid: string; resumed: boolean }>(
      post(`${second.url}/webchat/session`, { token: visitor.body.token }),
    );
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({
      conversationSid: visitor.body.conversationSid,
      resumed: true,
    });
    const sent = await json<{ index: number }>(
      post(`${second.url}/webchat/messages`, { text: "When are you open?" }, resumed.body.token),
    );
    expect(sent.status).toBe(202);
    expect(sent.body.index).toBe(2);
    await transcriptWithAnswers(second.url, visitor.body.conversationSid, 2);

    // An operator reply to an old conversation goes out.
    const reply = await fetch(`${second.url}/api/conversations/${sms.body.conversationSid}/reply`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "We are here until six." }),
    });
    expect(reply.status).toBe(202);
    await waitFor(
      async () =>
        (
          await json<{ messages: { body: string }[] }>(
            fetch(
              `${second.emulatorUrl}/_emulator/devices/${encodeURIComponent("+15551230001")}/messages`,
            ),
          )
        ).body.messages,
      (messages) => messages.some((message) => message.body === "We are here until six."),
    );

    // Each customer once in the console.
    const list = await json<{ conversations: { sid: string }[] }>(
      fetch(`${second.url}/api/conversations`),
    );
    expect(list.body.conversations.map((conversation) => conversation.sid).sort()).toEqual(
      [sms.body.conversationSid, visitor.body.conversationSid].sort(),
    );

    // A catch-up pass over every old conversation ran on start; give it a moment to log.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(second.cli.stderr()).not.toMatch(trouble);
    expect(await second.cli.stop("SIGINT")).toBe(0);
    expect(second.cli.stderr()).not.toMatch(trouble);
  }, 90_000);

  it("dev --fresh starts clean; a corrupt emulator state file is refused by name until then", async () => {
    const where = await project();
    const first = await dev(where);
    const sms = await json<{ conversationSid: string }>(
      post(`${first.emulatorUrl}/_emulator/inbound`, {
        channel: "sms",
        from: "+15551230002",
        body: "hello",
      }),
    );
    await transcriptWithAnswers(first.url, sms.body.conversationSid, 1);
    expect(await first.cli.stop("SIGINT")).toBe(0);

    const statePath = join(where.cwd, ".switchboard", "emulator.db");
    writeFileSync(statePath, "not a database\n".repeat(500));
    const refused = runCli(["dev"], {
      cwd: where.cwd,
      env: {
        PORT: String(where.port),
        EMULATOR_PORT: String(where.emulatorPort),
        LOG_LEVEL: "warn",
      },
    });
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toContain(statePath);
    expect(refused.stderr()).toContain("switchboard dev --fresh");
    expect(refused.stderr()).not.toMatch(/^\s+at /m);

    const fresh = await dev(where, ["--fresh"]);
    expect(fresh.cli.stderr()).toMatch(/Starting fresh: removed \.switchboard\//);
    const list = await json<{ conversations: unknown[] }>(fetch(`${fresh.url}/api/conversations`));
    expect(list.body.conversations).toEqual([]);
    const emulatorList = await json<{ conversations: unknown[] }>(
      fetch(`${fresh.emulatorUrl}/v1/Conversations`, {
        headers: { authorization: basicFrom(fresh.cli.stdout()) },
      }),
    );
    expect(emulatorList.body.conversations).toEqual([]);

    // A second dev in the same folder (on other ports) is refused: both would write the same files.
    const other = runCli(["dev", "--fresh"], {
      cwd: where.cwd,
      env: {
        PORT: String(await freePort()),
        EMULATOR_PORT: String(await freePort()),
        LOG_LEVEL: "warn",
      },
    });
    expect(await other.exited).toBe(1);
    expect(other.stderr()).toMatch(/already running in this folder/);
    expect(await fresh.cli.stop("SIGINT")).toBe(0);
  }, 90_000);

  it("switchboard conversations and send find the running dev without TWILIO_* variables; a stale dev.json is noticed", async () => {
    const where = await project();
    const running = await dev(where);
    const sms = await json<{ conversationSid: string }>(
      post(`${running.emulatorUrl}/_emulator/inbound`, {
        channel: "sms",
        from: "+15551230003",
        body: "hello",
      }),
    );
    await transcriptWithAnswers(running.url, sms.body.conversationSid, 1);

    const list = runCli(["conversations", "list"], { cwd: where.cwd });
    expect(await list.exited).toBe(0);
    expect(list.stdout()).toContain(sms.body.conversationSid);

    const send = runCli(["send", sms.body.conversationSid, "An operator here."], {
      cwd: where.cwd,
    });
    expect(await send.exited).toBe(0);
    expect(send.stdout()).toMatch(/^sent IM[0-9a-f]{32} \(#2\)/);
    const show = runCli(["conversations", "show", sms.body.conversationSid], { cwd: where.cwd });
    expect(await show.exited).toBe(0);
    expect(show.stdout()).toContain("An operator here.");

    const dump = (await import("node:fs")).readFileSync(
      join(where.cwd, ".switchboard", "dev.json"),
      "utf8",
    );
    expect(await running.cli.stop("SIGINT")).toBe(0);
    expect(existsSync(join(where.cwd, ".switchboard", "dev.json"))).toBe(false);

    // Not running: the usual missing-variable error, with the hint.
    const none = runCli(["conversations", "list"], { cwd: where.cwd });
    expect(await none.exited).toBe(1);
    expect(none.stderr()).toMatch(/TWILIO_ACCOUNT_SID.*switchboard dev/);

    // A dev killed without cleaning up leaves its file: its process is gone, so it is stale.
    writeFileSync(
      join(where.cwd, ".switchboard", "dev.json"),
      dump.replace(/"pid": \d+/, `"pid": ${2 ** 22 + 12345}`),
    );
    const stale = runCli(["conversations", "list"], { cwd: where.cwd });
    expect(await stale.exited).toBe(1);
    expect(stale.stderr()).toMatch(/dev\.json is stale \(its process \d+ has exited\)/);
  }, 90_000);
});

function basicFrom(banner: string): string {
  const account = /Account SID (AC[0-9a-f]{32})/.exec(banner)?.[1] ?? "";
  const token = /Auth token ([0-9a-f]{32})/.exec(banner)?.[1] ?? "";
  return `Basic ${Buffer.from(`${account}:${token}`).toString("base64")}`;
}
