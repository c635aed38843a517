import { describe, expect, it } from "vitest";
import { EmulatorRequestClient } from "./emulator-request-client.js";

describe("EmulatorRequestClient.rewrite", () => {
  const client = new EmulatorRequestClient("http://127.0.0.1:4010");

  it("sends every Twilio host to the emulator, keeping path and query", () => {
    expect(
      client.rewrite("https://conversations.twilio.com/v1/Conversations?PageSize=2&PageToken=PTx"),
    ).toBe("http://127.0.0.1:4010/v1/Conversations?PageSize=2&PageToken=PTx");
    expect(client.rewrite("https://mcs.us1.twilio.com/v1/Services/IS1/Media")).toBe(
      "http://127.0.0.1:4010/v1/Services/IS1/Media",
    );
    expect(client.rewrite("https://content.twilio.com/v2/Content")).toBe(
      "http://127.0.0.1:4010/v2/Content",
    );
    expect(client.rewrite("https://conversations.sydney.au1.twilio.com/v1/Users")).toBe(
      "http://127.0.0.1:4010/v1/Users",
    );
    expect(client.rewrite("https://mcs.dublin.ie1.twilio.com/v1/Services/IS1/Media")).toBe(
      "http://127.0.0.1:4010/v1/Services/IS1/Media",
    );
  });

  it("leaves other hosts, and look-alike hosts, untouched", () => {
    expect(client.rewrite("https://example.com/v1/Conversations")).toBe(
      "https://example.com/v1/Conversations",
    );
    expect(client.rewrite("https://eviltwilio.com/v1")).toBe("https://eviltwilio.com/v1");
    expect(client.rewrite("https://twilio.com.example.org/v1")).toBe(
      "https://twilio.com.example.org/v1",
    );
  });
});
