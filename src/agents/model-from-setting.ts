import type { LanguageModel } from "ai";
import { ConfigError } from "../errors.js";

/** The environment variable that chooses a language model without writing code. */
export const modelVariable = "SWITCHBOARD_MODEL";

/** The optional key of an OpenAI-compatible server (a local server usually needs none). */
export const compatibleKeyVariable = "SWITCHBOARD_MODEL_API_KEY";

/** What a model setting names: the provider, the model id, and where it came from. */
export interface ModelChoice {
  model: LanguageModel;
  /** `openai:gpt-4o-mini`, `openai-compatible:http://127.0.0.1:11434/v1#llama3` — safe to print. */
  description: string;
}

/**
 * The providers a model setting may name, with the variable holding each one's key. Only
 * these three ship as dependencies; any other AI SDK provider works through a
 * `switchboard.config.ts` exporting `aiSdkAgent({ model })` (see the README).
 */
const keyVariables = {
  openai: "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
} as const;

const syntax =
  "openai:<model> (OPENAI_API_KEY), anthropic:<model> (ANTHROPIC_API_KEY) or openai-compatible:<base URL>#<model> (for a local server; SWITCHBOARD_MODEL_API_KEY if it needs a key)";

/**
 * Parses a model setting and checks it is usable, without building anything: a bad
 * setting or a missing key is refused before the service starts, naming the exact
 * variable to set. `source` is how the user gave it (`--model` or `SWITCHBOARD_MODEL`).
 *
 * The syntax is `<provider>:<model id>`:
 * - `openai:gpt-4o-mini` — needs `OPENAI_API_KEY`;
 * - `anthropic:claude-sonnet-4-5` — needs `ANTHROPIC_API_KEY`;
 * - `openai-compatible:http://127.0.0.1:11434/v1#llama3` — any server speaking OpenAI's
 *   chat completions (Ollama, LM Studio, vLLM…): base URL, `#`, model id; sends
 *   `SWITCHBOARD_MODEL_API_KEY` as the bearer token when set.
 */
export function parseModelSetting(
  setting: string,
  source: string,
  env: Readonly<Record<string, string | undefined>>,
): ParsedModelSetting {
  const trimmed = setting.trim();
  const colon = trimmed.indexOf(":");
  const provider = colon === -1 ? "" : trimmed.slice(0, colon).toLowerCase();
  const rest = colon === -1 ? "" : trimmed.slice(colon + 1).trim();
  if (colon === -1 || rest === "") {
    throw new ConfigError(
      "model",
      `${source} must name a provider and a model, like openai:gpt-4o-mini; got "${trimmed}". Use ${syntax}.`,
    );
  }
  if (provider === "openai" || provider === "anthropic") {
    const keyVariable = keyVariables[provider];
    const apiKey = env[keyVariable]?.trim();
    if (apiKey === undefined || apiKey === "") {
      throw new ConfigError(
        "model",
        `${source} is "${trimmed}", which needs an API key: set ${keyVariable}.`,
      );
    }
    return { provider, modelId: rest, apiKey, description: `${provider}:${rest}` };
  }
  if (provider === "openai-compatible") {
    const hash = rest.lastIndexOf("#");
    const baseURL = (hash === -1 ? "" : rest.slice(0, hash)).replace(/\/+$/, "");
    const modelId = hash === -1 ? "" : rest.slice(hash + 1).trim();
    if (!/^https?:\/\/[^\s#]+$/.test(baseURL) || modelId === "") {
      throw new ConfigError(
        "model",
        `${source} must be openai-compatible:<base URL>#<model>, like openai-compatible:http://127.0.0.1:11434/v1#llama3; got "${trimmed}".`,
      );
    }
    const apiKey = env[compatibleKeyVariable]?.trim();
    return {
      provider,
      modelId,
      baseURL,
      ...(apiKey === undefined || apiKey === "" ? {} : { apiKey }),
      description: `${provider}:${baseURL}#${modelId}`,
    };
  }
  throw new ConfigError(
    "model",
    `${source} names the unknown provider "${provider}". Use ${syntax}; for another AI SDK provider, write a switchboard.config.ts with aiSdkAgent({ model }).`,
  );
}

/** A checked model setting (see {@link parseModelSetting}). */
export interface ParsedModelSetting {
  provider: "openai" | "anthropic" | "openai-compatible";
  modelId: string;
  apiKey?: string;
  /** Only for `openai-compatible`. */
  baseURL?: string;
  description: string;
}

/**
 * Builds the AI SDK model a setting names (see {@link parseModelSetting} for the syntax and
 * errors). The provider package is loaded only when chosen, so the offline default never
 * pays for it.
 */
export async function modelFromSetting(
  setting: string,
  source: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ModelChoice> {
  const parsed = parseModelSetting(setting, source, env);
  switch (parsed.provider) {
    case "openai": {
      const { createOpenAI } = await import("@ai-sdk/openai");
      return {
        model: createOpenAI({ apiKey: parsed.apiKey! })(parsed.modelId),
        description: parsed.description,
      };
    }
    case "anthropic": {
      const { createAnthropic } = await import("@ai-sdk/anthropic");
      return {
        model: createAnthropic({ apiKey: parsed.apiKey! })(parsed.modelId),
        description: parsed.description,
      };
    }
    case "openai-compatible": {
      const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
      const provider = createOpenAICompatible({
        name: "openai-compatible",
        baseURL: parsed.baseURL!,
        ...(parsed.apiKey === undefined ? {} : { apiKey: parsed.apiKey }),
      });
      return { model: provider.chatModel(parsed.modelId), description: parsed.description };
    }
  }
}
