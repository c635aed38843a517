import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { modelFromSetting, parseModelSetting } from "./model-from-setting.js";

describe("parseModelSetting", () => {
  it("reads provider:model and the provider's key variable", () => {
    expect(
      parseModelSetting("openai:gpt-4o-mini", "SWITCHBOARD_MODEL", { OPENAI_API_KEY: "k" }),
    ).toEqual({
      provider: "openai",
      modelId: "gpt-4o-mini",
      apiKey: "k",
      description: "openai:gpt-4o-mini",
    });
    expect(
      parseModelSetting("openai-compatible:http://127.0.0.1:11434/v1/#llama3", "--model", {}),
    ).toEqual({
      provider: "openai-compatible",
      modelId: "llama3",
      baseURL: "http://127.0.0.1:11434/v1",
      description: "openai-compatible:http://127.0.0.1:11434/v1#llama3",
    });
  });

  it("never puts the key in the printable description", () => {
    const parsed = parseModelSetting("anthropic:claude-x", "SWITCHBOARD_MODEL", {
      ANTHROPIC_API_KEY: "sk-secret",
    });
    expect(parsed.description).not.toContain("sk-secret");
  });

  it.each([
    ["openai:gpt-4o-mini", /set OPENAI_API_KEY\.$/],
    ["Anthropic:claude-x", /set ANTHROPIC_API_KEY\.$/],
    ["cohere:command", /unknown provider "cohere".*aiSdkAgent\(\{ model \}\)/],
    ["", /must name a provider and a model/],
    ["openai:", /must name a provider and a model/],
    ["openai-compatible:ftp://x#m", /openai-compatible:<base URL>#<model>/],
    ["openai-compatible:http://127.0.0.1:1/v1#", /openai-compatible:<base URL>#<model>/],
  ])("refuses %j naming the variable or the syntax", (setting, message) => {
    const attempt = () => parseModelSetting(setting, "SWITCHBOARD_MODEL", {});
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});

describe("modelFromSetting", () => {
  it("builds each shipped provider's model without calling it", async () => {
    const env = { OPENAI_API_KEY: "k1", ANTHROPIC_API_KEY: "k2" };
    const openai = await modelFromSetting("openai:gpt-4o-mini", "SWITCHBOARD_MODEL", env);
    expect(openai.model).toMatchObject({ modelId: "gpt-4o-mini" });
    const anthropic = await modelFromSetting("anthropic:claude-x", "SWITCHBOARD_MODEL", env);
    expect(anthropic.model).toMatchObject({ modelId: "claude-x" });
    const local = await modelFromSetting("openai-compatible:http://127.0.0.1:9/v1#m", "x", env);
    expect(local.model).toMatchObject({ modelId: "m" });
  });
});
