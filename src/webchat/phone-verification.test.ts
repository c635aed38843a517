import { describe, expect, it } from "vitest";
import { createPhoneVerification, verificationText } from "./phone-verification.js";

const secret = "phone-verification-test-secret-0123456789";

async function textSent(senderName?: string): Promise<string> {
  const texts: string[] = [];
  const verification = createPhoneVerification(
    {
      sendCode: async (_address, message) => {
        texts.push(message.text);
        return "queued";
      },
      linkVerified: async () => {},
    },
    { secret, ...(senderName === undefined ? {} : { senderName }) },
  );
  await verification.start({
    identity: "visitor-1",
    phone: "+15551230001",
    channel: undefined,
    client: "127.0.0.1",
  });
  return texts[0] ?? "";
}

describe("the verification text", () => {
  it("is a sentence, naming the business when it has a name", async () => {
    expect(await textSent("Harbor Bikes")).toMatch(
      /^Your Harbor Bikes verification code is \d{6}\. It expires in 10 minutes\. If you did not ask for it, ignore this message\.$/,
    );
    expect(await textSent()).toMatch(
      /^Your verification code is \d{6}\. It expires in 10 minutes\./,
    );
  });

  it("says minute for one and ignores a blank name", () => {
    expect(verificationText("  ", "012345", 1)).toBe(
      "Your verification code is 012345. It expires in 1 minute. If you did not ask for it, ignore this message.",
    );
  });
});
