import { z } from "zod";
import type { Agent } from "../agents/types.js";
import { ConfigError } from "../errors.js";
import { nearestName } from "../nearest-name.js";
import { type BusinessHoursOptions, businessHours } from "./business-hours.js";
import { ConfigFileError } from "./config-file-error.js";
import { hasPassword, parseDatabaseUrl } from "./parse-database-url.js";
import type { SwitchboardConfig } from "./switchboard-config.js";
import { workersSchema } from "./workers-schema.js";

const positiveInteger = z.number().int().positive();

const isAgent = (value: unknown): value is Agent =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { respond?: unknown }).respond === "function";

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}, "must be an absolute http(s) URL, e.g. https://bot.example.com");

const configSchema = z.strictObject({
  agent: z
    .custom<Agent | "faq">(
      (value) => value === "faq" || isAgent(value),
      'must be an Agent (an object with respond()) or "faq"',
    )
    .optional(),
  knowledge: z.string().min(1, "must be a path to a Markdown file").optional(),
  channels: z
    .strictObject({
      sms: z
        .strictObject({
          markers: z.boolean().optional(),
          helpAnsweredBy: z.enum(["twilio", "switchboard"]).optional(),
          helpText: z.string().trim().min(1, "must be the text sent in answer to HELP").optional(),
          maxSegments: z
            .number()
            .int("must be a whole number")
            .min(1, "must be 1–10")
            .max(10, "must be 1–10")
            .optional(),
        })
        .optional(),
      whatsapp: z
        .strictObject({
          optOutPhrases: z.array(z.string().trim().min(1, "must not be blank")).optional(),
          optInPhrases: z.array(z.string().trim().min(1, "must not be blank")).optional(),
          template: z
            .strictObject({
              contentSid: z
                .string()
                .regex(
                  /^HX[0-9a-fA-F]{32}$/,
                  "must be a Content SID: HX followed by 32 hex digits",
                ),
              variables: z.record(z.string(), z.string()).optional(),
            })
            .optional(),
          choiceTemplates: z
            .array(
              z.strictObject({
                name: z.string().trim().min(1, "must not be blank").optional(),
                choiceIds: z
                  .array(z.string().min(1, "must not be blank"))
                  .min(1, "must list 1–10 option ids")
                  .max(10, "must list 1–10 option ids")
                  .optional(),
                contentSid: z
                  .string()
                  .regex(
                    /^HX[0-9a-fA-F]{32}$/,
                    "must be a Content SID: HX followed by 32 hex digits",
                  ),
                variables: z.record(z.string(), z.string()).optional(),
                textVariable: z.string().min(1).optional(),
              }),
            )
            .optional(),
        })
        .optional(),
      webchat: z
        .strictObject({
          uploads: z
            .union([
              z.literal(false),
              z.strictObject({
                maxBytes: z
                  .number()
                  .int("must be a whole number of bytes")
                  .min(1, "must be 1 byte to 16 MB")
                  .max(16 * 1024 * 1024, "must be 1 byte to 16 MB")
                  .optional(),
                // Which types the web chat can check is its own business: it refuses the
                // rest when the service starts, naming the option.
                contentTypes: z
                  .array(z.string().min(1, "must not be blank"))
                  .min(1, "must list at least one type")
                  .optional(),
              }),
            ])
            .optional(),
        })
        .optional(),
    })
    .optional(),
  port: z.number().int().min(0).max(65_535, "must be a port number 0–65535").optional(),
  host: z.string().min(1).optional(),
  database: z
    .union(
      [
        z.string().min(1),
        z.strictObject({
          url: z.string().min(1).optional(),
          poolSize: z
            .number()
            .int()
            .min(1, "must be 1–1000 connections")
            .max(1_000, "must be 1–1000 connections")
            .optional(),
          migrate: z.boolean({ error: "must be true or false" }).optional(),
        }),
      ],
      { error: "must be a database URL or { url, poolSize, migrate }" },
    )
    .optional(),
  webhookPath: z
    .string()
    .regex(/^\/\S*$/, 'must be a path starting with "/"')
    .optional(),
  publicUrl: httpUrl.optional(),
  workers: workersSchema.optional(),
  policy: z
    .discriminatedUnion("mode", [
      z.strictObject({ mode: z.literal("queue") }),
      z.strictObject({ mode: z.literal("burst"), windowMs: positiveInteger }),
      z.strictObject({ mode: z.literal("interrupt") }),
    ])
    .optional(),
  botIdentities: z.array(z.string().min(1)).optional(),
  handoffKeywords: z.array(z.string().min(1)).optional(),
  // `console.token` is refused by the secret check: the console token comes from the
  // environment (SWITCHBOARD_CONSOLE_TOKEN) or is generated and kept beside the mailbox.
  // The shape only: createSwitchboard checks the hours themselves and names the option.
  businessHours: z
    .strictObject({
      timeZone: z.string(),
      weekly: z.record(z.string(), z.array(z.string())),
      holidays: z
        .array(
          z.union([
            z.string(),
            z.strictObject({ date: z.string(), hours: z.array(z.string()).optional() }),
          ]),
        )
        .optional(),
    })
    .optional(),
  afterHoursMessage: z.string().min(1).optional(),
  handBack: z
    .union([
      z.literal(false),
      z.strictObject({ afterMs: positiveInteger, message: z.string().min(1).optional() }),
    ])
    .optional(),
  customers: z
    .strictObject({
      linkSameNumber: z.boolean().optional(),
      historyLimit: z.number().int().min(0).max(200).optional(),
    })
    .optional(),
  slowTurn: z
    .union([
      z.literal(false),
      z.strictObject({
        afterMs: z
          .strictObject({
            sms: z.union([positiveInteger, z.literal(false)]).optional(),
            whatsapp: z.union([positiveInteger, z.literal(false)]).optional(),
            chat: z.union([positiveInteger, z.literal(false)]).optional(),
          })
          .optional(),
        message: z.string().min(1).optional(),
      }),
    ])
    .optional(),
  webchat: z
    .strictObject({
      smsNumber: z
        .string()
        .regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number like +15017122661")
        .optional(),
      whatsappNumber: z
        .string()
        .regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number like +14155238886")
        .optional(),
      verify: z
        .union([
          z.literal(false),
          z.strictObject({
            channels: z
              .array(z.enum(["sms", "whatsapp"]))
              .min(1)
              .optional(),
            codeTtlMs: z.number().int().min(60_000).max(3_600_000).optional(),
            maxAttempts: z.number().int().min(1).max(10).optional(),
            senderName: z.string().trim().min(1).max(40).optional(),
            countries: z
              .array(z.string().regex(/^[1-9]\d{0,3}$/, "must be a country calling code like 44"))
              .min(1)
              .optional(),
            whatsappTemplate: z
              .strictObject({
                contentSid: z.string().regex(/^HX[0-9a-fA-F]{32}$/, "must be a Content SID (HX…)"),
                variable: z.string().min(1).max(20).optional(),
              })
              .optional(),
          }),
        ])
        .optional(),
    })
    .optional(),
  console: z.strictObject({ token: z.string().min(1).optional() }).optional(),
  trustProxy: z
    .union([z.number().int().min(0).max(32), z.array(z.string().min(1))], {
      // The flag and the variable take "10.0.0.0/8,127.0.0.1"; the file takes a list.
      error:
        'a hop count from 0 to 32, or a list of the proxies\' addresses or ranges, e.g. ["10.0.0.0/8", "127.0.0.1"]',
    })
    .optional(),
});

/** Keys that hold secrets (compared lower-case without `_`/`-`); never allowed in the file. */
const secretKeys: Record<string, string> = {
  authtoken: "TWILIO_AUTH_TOKEN",
  twilioauthtoken: "TWILIO_AUTH_TOKEN",
  apikeysecret: "TWILIO_API_KEY_SECRET",
  twilioapikeysecret: "TWILIO_API_KEY_SECRET",
  password: "DATABASE_URL",
};

/** Twilio settings people may try to put in the file; they come from the environment. */
const twilioKeys: Record<string, string> = {
  accountSid: "TWILIO_ACCOUNT_SID",
  conversationsServiceSid: "TWILIO_CONVERSATIONS_SERVICE_SID",
  serviceSid: "TWILIO_CONVERSATIONS_SERVICE_SID",
  apiKeySid: "TWILIO_API_KEY_SID",
  webhookUrl: "TWILIO_WEBHOOK_URL (or publicUrl + webhookPath)",
  region: "TWILIO_REGION",
  edge: "TWILIO_EDGE",
};

/**
 * Checks a config file's default export and returns it typed. Every problem is reported at
 * once, each naming its key (`channels.whatsapp.template.contentSid`), in a
 * {@link ConfigFileError} that names `file`. Secrets anywhere in the file (outside the
 * agent object, which is code) are refused with the variable to use instead.
 */
export function validateConfig(value: unknown, file: string): SwitchboardConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigFileError(file, [
      `the default export must be an object (export default defineConfig({ … })), got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`,
    ]);
  }
  const problems = findSecrets(value as Record<string, unknown>, []);
  const database = (value as { database?: unknown }).database;
  const databaseUrl =
    typeof database === "object" && database !== null
      ? (database as { url?: unknown }).url
      : database;
  const databaseKey = typeof database === "object" ? "database.url" : "database";
  if (typeof databaseUrl === "string" && databaseUrl.trim() !== "") {
    try {
      const location = parseDatabaseUrl(databaseUrl, { source: databaseKey });
      if (hasPassword(location)) {
        problems.push(
          `${databaseKey}: contains a password; put the connection string in DATABASE_URL instead`,
        );
      }
    } catch (error) {
      problems.push(
        error instanceof Error
          ? error.message.replace(`${databaseKey} `, `${databaseKey}: `)
          : String(error),
      );
    }
  }
  const result = configSchema.safeParse(value);
  if (!result.success)
    problems.push(
      ...new Set(
        result.error.issues.flatMap(
          (issue) => misspeltInstead(issue, value) ?? describeIssue(issue),
        ),
      ),
    );
  else if (result.data.businessHours !== undefined) {
    // The hours themselves (ranges, time zone, dates), named like `businessHours.weekly.monday[0]`.
    try {
      businessHours(result.data.businessHours as BusinessHoursOptions);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(`${error.option}: ${error.message}`);
    }
  }
  if (problems.length > 0) {
    const first = problems[0]?.split(":")[0];
    throw new ConfigFileError(file, problems, first === undefined ? {} : { option: first });
  }
  // The input, not zod's copy: the agent object must keep its identity and prototype.
  return value as SwitchboardConfig;
}

/** Tokens named `token` under these keys, and where each belongs instead. */
const tokenVariables: Record<string, string> = {
  console: "SWITCHBOARD_CONSOLE_TOKEN",
  metrics: "SWITCHBOARD_METRICS_TOKEN",
};

function findSecrets(value: Record<string, unknown>, path: string[]): string[] {
  const problems: string[] = [];
  for (const [key, field] of Object.entries(value)) {
    if (path.length === 0 && key === "agent") continue;
    const where = [...path, key].join(".");
    const normalized = key.toLowerCase().replace(/[_-]/g, "");
    const variable =
      secretKeys[normalized] ??
      (normalized === "token" ? (tokenVariables[path.at(-1) ?? ""] ?? "a variable") : undefined);
    if (variable !== undefined) {
      problems.push(
        `${where}: secrets do not belong in the config file; set ${variable} in the environment instead`,
      );
    } else if (typeof field === "object" && field !== null) {
      problems.push(...findSecrets(field as Record<string, unknown>, [...path, key]));
    } else if (typeof field === "string" && !isDatabaseUrl(path, key)) {
      const secret = secretInString(field);
      if (secret !== undefined) problems.push(`${where}: ${secret}; keep it in the environment`);
    } else if (typeof field === "string") {
      // The database URL's user password is reported by the database check.
      if (/[?&]sslpassword=/i.test(field))
        problems.push(
          `${where}: contains sslpassword; put the connection string in DATABASE_URL instead`,
        );
    }
  }
  return problems;
}

/** `database` or `database.url`, whose user password the database check reports. */
function isDatabaseUrl(path: readonly string[], key: string): boolean {
  return (
    (path.length === 0 && key === "database") || (path.join(".") === "database" && key === "url")
  );
}

/**
 * What secret a plain string value carries, if any: credentials before the host of a URL
 * (`https://user:pass@host`) or a password parameter (`sslpassword=`, `password=`,
 * `token=`, `secret=`, `key=` in a query string).
 */
export function secretInString(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s@:]*:[^/?#\s@]*@/i.test(value))
    return "contains credentials in its URL";
  if (/[?&;](?:ssl)?password=/i.test(value)) return "contains a password parameter";
  if (/[?&;](?:access_?)?(?:token|secret|api_?key|key)=/i.test(value))
    return "contains a credential parameter";
  return undefined;
}

/**
 * A required field reported missing (`policy.mode`) while its object holds unknown keys
 * (`policy.mdoe`): the unknown keys are the mistake to name, with their suggestions.
 */
function misspeltInstead(issue: z.core.$ZodIssue, input: unknown): string[] | undefined {
  const path = issue.path.map(String);
  const field = path.at(-1);
  if (field === undefined) return undefined;
  const parent = path
    .slice(0, -1)
    .reduce<unknown>(
      (object, key) =>
        typeof object === "object" && object !== null
          ? (object as Record<string, unknown>)[key]
          : undefined,
      input,
    );
  if (typeof parent !== "object" || parent === null || Array.isArray(parent)) return undefined;
  if ((parent as Record<string, unknown>)[field] !== undefined) return undefined;
  const where = path.slice(0, -1).join(".");
  const known = knownKeys(where);
  if (known === undefined) return undefined;
  const unknown = Object.keys(parent).filter((key) => !known.includes(key));
  if (unknown.length === 0) return undefined;
  return unknown.map(
    (key) => `${where === "" ? key : `${where}.${key}`}: unknown key${suggestion(key, where)}`,
  );
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const where = issue.path.map(String).join(".");
  // A union (`database`: a URL or an object) whose object form was meant: report that form's
  // own problems (`database.poolSize: …`) rather than the union's summary.
  if (issue.code === "invalid_union") {
    const meant = issue.errors.find((branch) => branch.some((inner) => inner.path.length > 0));
    if (meant !== undefined)
      return meant.flatMap((inner) =>
        describeIssue({ ...inner, path: [...issue.path, ...inner.path] }),
      );
  }
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .filter((key) => secretKeys[key.toLowerCase().replace(/[_-]/g, "")] === undefined)
      .map((key) => {
        const full = where === "" ? key : `${where}.${key}`;
        const variable = where === "" ? twilioKeys[key] : undefined;
        return variable === undefined
          ? `${full}: unknown key${suggestion(key, where)}`
          : `${full}: unknown key; Twilio settings come from the environment (${variable})`;
      });
  }
  return [`${where === "" ? "(root)" : where}: ${issue.message}`];
}

/**
 * The keys the schema allows for the object at `where` (`""`, `policy`, `channels.sms`…),
 * through optional, default and union wrappers; `undefined` where no object is expected.
 */
function knownKeys(where: string): readonly string[] | undefined {
  let schemas: z.core.$ZodType[] = [configSchema];
  for (const segment of where === "" ? [] : where.split(".")) {
    schemas = schemas.flatMap(objectsOf).flatMap((object) => {
      const field = object._zod.def.shape[segment];
      return field === undefined ? [] : [field];
    });
  }
  const keys = new Set(
    schemas.flatMap(objectsOf).flatMap((object) => Object.keys(object._zod.def.shape)),
  );
  return keys.size === 0 ? undefined : [...keys];
}

/** The object schemas a field may hold, looking through wrappers, pipes and unions. */
function objectsOf(schema: z.core.$ZodType): z.core.$ZodObject[] {
  const def = schema._zod.def as z.core.$ZodTypeDef & {
    innerType?: z.core.$ZodType;
    in?: z.core.$ZodType;
    options?: readonly z.core.$ZodType[];
  };
  if (def.type === "object") return [schema as z.core.$ZodObject];
  if (def.innerType !== undefined) return objectsOf(def.innerType);
  if (def.type === "pipe" && def.in !== undefined) return objectsOf(def.in);
  if (def.type === "union" && def.options !== undefined) return def.options.flatMap(objectsOf);
  return [];
}

function suggestion(key: string, where: string): string {
  const candidates = knownKeys(where);
  if (candidates === undefined) return "";
  const near = nearestName(key, candidates);
  return near === undefined
    ? `; known keys: ${candidates.join(", ")}`
    : `; did you mean "${near}"?`;
}
