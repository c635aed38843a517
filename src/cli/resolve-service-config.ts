import { readFileSync } from "node:fs";
import { KnowledgeError } from "../agents/agent-errors.js";
import { aiSdkAgent } from "../agents/ai-sdk-agent.js";
import { faqAgent } from "../agents/faq-agent.js";
import { groundingInstructions } from "../agents/grounding-instructions.js";
import { modelFromSetting, modelVariable } from "../agents/model-from-setting.js";
import { sampleKnowledgePath } from "../agents/sample-knowledge-path.js";
import type { Agent } from "../agents/types.js";
import { loadConfigFile } from "../config/load-config-file.js";
import { type ConfigFlags, type ResolvedConfig, resolveConfig } from "../config/resolve-config.js";

/** The merged configuration and the agent it names. */
export interface ServiceConfig {
  config: ResolvedConfig;
  agent: Agent;
  /** The config file used, if any. */
  configPath: string | undefined;
  /** The model chosen by `--model` or `SWITCHBOARD_MODEL` (safe to print), if any. */
  model: string | undefined;
}

/**
 * Loads `switchboard.config.*` (or `--config`), merges it with the environment and flags,
 * and builds the agent: an AI SDK model chosen by `--model` / `SWITCHBOARD_MODEL` (grounded
 * in the knowledge file, with the handoff tool), else the config's own, else the offline
 * FAQ agent over `knowledge` (the shipped sample when none is given). A model setting
 * wins over the config file's agent, as flags and environment win over the file.
 */
export async function resolveServiceConfig(input: {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  flags: ConfigFlags;
  configPath?: string | undefined;
  /** `--model`, which wins over `SWITCHBOARD_MODEL`. */
  model?: string | undefined;
}): Promise<ServiceConfig> {
  const file = await loadConfigFile({
    cwd: input.cwd,
    ...(input.configPath === undefined ? {} : { path: input.configPath }),
  });
  const config = resolveConfig({ file, env: input.env, flags: input.flags, cwd: input.cwd });
  const knowledgePath = config.knowledge ?? sampleKnowledgePath;
  const modelSetting = input.model ?? emptyToUndefined(input.env[modelVariable]);
  if (modelSetting !== undefined) {
    const source = input.model === undefined ? modelVariable : "--model";
    const { model, description } = await modelFromSetting(modelSetting, source, input.env);
    const agent = aiSdkAgent({
      model,
      system: groundingInstructions(readKnowledge(knowledgePath)),
    });
    return { config, agent, configPath: file?.path, model: description };
  }
  const agent =
    config.agent === "faq" ? faqAgent({ knowledge: { path: knowledgePath } }) : config.agent;
  return { config, agent, configPath: file?.path, model: undefined };
}

function readKnowledge(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new KnowledgeError(`cannot read the knowledge file ${path} (option "knowledge").`, {
      cause: error,
    });
  }
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
