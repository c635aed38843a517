import { faqAgent } from "../agents/faq-agent.js";
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
}

/**
 * Loads `switchboard.config.*` (or `--config`), merges it with the environment and flags,
 * and builds the agent: the config's own, or the offline FAQ agent over `knowledge` (the
 * shipped sample when none is given).
 */
export async function resolveServiceConfig(input: {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  flags: ConfigFlags;
  configPath?: string | undefined;
}): Promise<ServiceConfig> {
  const file = await loadConfigFile({
    cwd: input.cwd,
    ...(input.configPath === undefined ? {} : { path: input.configPath }),
  });
  const config = resolveConfig({ file, env: input.env, flags: input.flags, cwd: input.cwd });
  const agent =
    config.agent === "faq"
      ? faqAgent({ knowledge: { path: config.knowledge ?? sampleKnowledgePath } })
      : config.agent;
  return { config, agent, configPath: file?.path };
}
