import { describe, expect, it } from "vitest";
import { ApiError, createApiClient, plainWords, unreachableMessage } from "./api-client.js";

function client(respond: (url: string, init: RequestInit) => Promise<Response>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const unauthorized: boolean[] = [];
  let token: string | null = "secret-token";
  const api = createApiClient({
    fetch: (input, init = {}) => {
      calls.push({ url: String(input), init });
      return respond(String(input), init);
    },
    token: () => token,
    onUnauthorized: (hadToken) => unauthorized.push(hadToken),
  });
  return { api, calls, unauthorized, setToken: (value: string | null) => (token = value) };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("the console's API client", () => {
  it("sends JSON with the bearer token and returns the parsed answer", async () => {
    const { api, calls } = client(async () => json(200, { ok: true }));
    await expect(api("POST", "/api/x", { on: true })).resolves.toEqual({ ok: true });
    expect(calls[0]?.init.body).toBe('{"on":true}');
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe(
      "Bearer secret-token",
    );
  });

  it("says the server is unreachable in words, not the browser's 'Failed to fetch'", async () => {
    const { api } = client(async () => {
      throw new TypeError("Failed to fetch");
    });
    const error = await api("GET", "/api/info").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(0);
    expect((error as ApiError).message).toBe(unreachableMessage);
    expect((error as ApiError).message).not.toMatch(/fetch/i);
  });

  it("opens the token gate on 401, telling whether a token was refused", async () => {
    const { api, unauthorized, setToken } = client(async () =>
      json(401, { error: { code: "token_invalid", message: "nope" } }),
    );
    await expect(api("GET", "/api/info")).rejects.toMatchObject({ status: 401 });
    setToken(null);
    await expect(api("GET", "/api/info")).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).toEqual([true, false]);
  });

  it("turns the server's developer wording into plain sentences", async () => {
    const { api } = client(async () =>
      json(400, {
        error: {
          code: "invalid_from",
          message: "`from` must be an E.164 number like +15551234567.",
        },
      }),
    );
    await expect(api("POST", "/api/customers/send", {})).rejects.toThrow(
      "The customer's address must be an E.164 number like +15551234567.",
    );
    expect(plainWords("`on` must be true (take over) or false (hand back).")).toBe(
      "The hand-over choice must be true (take over) or false (hand back).",
    );
    expect(
      plainWords(
        "This console is protected: send the console token as `Authorization: Bearer <token>`.",
      ),
    ).toBe("This console is protected: send the console token.");
  });

  it("explains an error answer that carries no message", async () => {
    const { api } = client(async () => new Response("<html>oops</html>", { status: 502 }));
    await expect(api("GET", "/api/info")).rejects.toThrow(
      "The server ran into a problem. Try again in a moment.",
    );
  });
});
