/** The service's configuration: the config file, environment and flags, merged. */
export {
  type BusinessHours,
  type BusinessHoursOptions,
  businessHours,
  type Weekday,
  weekdays,
} from "./business-hours.js";
export { ConfigFileError } from "./config-file-error.js";
export {
  configFileNames,
  type LoadConfigFileOptions,
  type LoadedConfigFile,
  loadConfigFile,
} from "./load-config-file.js";
export {
  type DatabaseLocation,
  hasPassword,
  type ParseDatabaseUrlOptions,
  parseDatabaseUrl,
} from "./parse-database-url.js";
export {
  type ConfigFlags,
  configDefaults,
  configEnvironmentVariables,
  type ResolveConfigOptions,
  type ResolvedConfig,
  resolveConfig,
  type SettingSource,
} from "./resolve-config.js";
export {
  type ChannelsConfig,
  type DatabaseConfig,
  defineConfig,
  type SwitchboardConfig,
  type WorkersConfig,
} from "./switchboard-config.js";
export { validateConfig } from "./validate-config.js";
