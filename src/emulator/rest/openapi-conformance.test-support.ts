import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import {
  EmulatorRequestClient,
  type EmulatorRequestOptions,
} from "../http/emulator-request-client.js";

/** Test support: validates raw emulator responses against Twilio's OpenAPI file. */

// Twilio's OpenAPI files (MIT) are vendored under test/fixtures so the suite runs anywhere.
const fixtures = new URL("../../../test/fixtures/", import.meta.url);

interface SpecMediaType {
  schema: unknown;
  examples?: Record<string, { value: unknown }>;
}

interface Spec {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, SpecMediaType> }> }>
  >;
  components: { schemas: Record<string, unknown> };
}

/** `nullable: true` → a JSON-schema union with null; every documented property required. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== "object" || node === null) return node;
  const source = node as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === "nullable" || key.startsWith("x-") || key === "description" || key === "default")
      continue;
    result[key] =
      key === "properties"
        ? Object.fromEntries(
            Object.entries(value as object).map(([name, schema]) => [name, toJsonSchema(schema)]),
          )
        : toJsonSchema(value);
  }
  if (source.properties && typeof source.properties === "object")
    result.required = Object.keys(source.properties);
  if (source.nullable === true) {
    if (typeof result.type === "string") result.type = [result.type, "null"];
    else if (result.$ref) return { anyOf: [{ $ref: result.$ref }, { type: "null" }] };
  }
  return result;
}

export interface RecordedExchange {
  method: string;
  uri: string;
  statusCode: number;
  body: unknown;
}

export class OpenApiValidator {
  readonly #spec: Spec;
  readonly #components: unknown;
  readonly #ajv: Ajv;
  readonly #cache = new Map<string, ValidateFunction>();
  readonly #templates: { template: string; pattern: RegExp; literals: number }[];

  /** `specFile`: a file under test/fixtures (Conversations v1 unless told). */
  constructor(specFile = "twilio_conversations_v1.json") {
    this.#spec = JSON.parse(readFileSync(new URL(specFile, fixtures), "utf8")) as Spec;
    this.#components = { schemas: toJsonSchema(this.#spec.components.schemas) };
    this.#ajv = new Ajv({ strict: false, allErrors: true });
    const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;
    addFormats(this.#ajv);
    this.#ajv.addFormat("uri-map", true);
    this.#ajv.addFormat("int64", true);
    this.#templates = Object.keys(this.#spec.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
      literals: template.split("/").filter((segment) => segment && !segment.startsWith("{")).length,
    }));
  }

  /** Every operation of the spec as `METHOD /path/{Template}`. */
  operations(): string[] {
    return Object.entries(this.#spec.paths).flatMap(([template, methods]) =>
      Object.keys(methods)
        .filter((method) => ["get", "post", "put", "delete"].includes(method))
        .map((method) => `${method.toUpperCase()} ${template}`),
    );
  }

  /** The `maximum` of a list operation's `PageSize` parameter, if it has one. */
  maximumPageSize(template: string): number | undefined {
    const operation = this.#spec.paths[template]?.get as
      | { parameters?: { name: string; schema?: { maximum?: number } }[] }
      | undefined;
    return operation?.parameters?.find((parameter) => parameter.name === "PageSize")?.schema
      ?.maximum;
  }

  /** The spec path template an actual path belongs to (most literal segments wins). */
  templateFor(path: string): string | undefined {
    return this.#templates
      .filter((entry) => entry.pattern.test(path))
      .sort((left, right) => right.literals - left.literals)[0]?.template;
  }

  /** Twilio's fullest example body for the exchange's path, method and status, if any. */
  example(exchange: RecordedExchange): unknown {
    const template = this.templateFor(new URL(exchange.uri).pathname);
    if (!template) return undefined;
    const response =
      this.#spec.paths[template]?.[exchange.method.toLowerCase()]?.responses?.[
        String(exchange.statusCode)
      ];
    const examples = response?.content?.["application/json"]?.examples;
    if (!examples) return undefined;
    // The fullest example: some lists lead with an empty one (`readEmpty`), which shows no
    // item keys to compare with.
    const values = Object.values(examples).map((example) => example?.value);
    return values.reduce((fullest, value) =>
      JSON.stringify(value ?? null).length > JSON.stringify(fullest ?? null).length
        ? value
        : fullest,
    );
  }

  /** Validation errors (empty when valid) for one exchange, against path/method/status. */
  errors(exchange: RecordedExchange): string[] {
    const path = new URL(exchange.uri).pathname;
    const template = this.templateFor(path);
    if (!template) return [`no spec path for ${path}`];
    const method = exchange.method.toLowerCase();
    const response = this.#spec.paths[template]?.[method]?.responses?.[String(exchange.statusCode)];
    if (!response) return [`no spec response for ${method} ${template} ${exchange.statusCode}`];
    const schema = response.content?.["application/json"]?.schema;
    if (schema === undefined)
      return exchange.body === "" || exchange.body === undefined ? [] : ["unexpected body"];
    const key = `${method} ${template} ${exchange.statusCode}`;
    let validate = this.#cache.get(key);
    if (!validate) {
      validate = this.#ajv.compile({
        ...(toJsonSchema(schema) as object),
        components: this.#components,
      });
      this.#cache.set(key, validate);
    }
    if (validate(exchange.body)) return [];
    return (validate.errors ?? []).map((error) => `${key}: ${error.instancePath} ${error.message}`);
  }
}

/** Sorted top-level keys of an object, and of the first item of each array property. */
function keyShape(value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  const keys: string[] = [];
  for (const [key, entry] of Object.entries(value)) {
    keys.push(key);
    if (
      Array.isArray(entry) &&
      typeof entry[0] === "object" &&
      entry[0] !== null &&
      key !== "media" &&
      key !== "filters"
    )
      for (const inner of Object.keys(entry[0])) keys.push(`${key}[].${inner}`);
  }
  return keys.sort();
}

/**
 * Differences between the keys of a response and of Twilio's own example for that
 * operation (`+key` extra, `-key` missing); empty when the spec has no example, or when
 * the response is an empty list (nothing to compare inside).
 */
export function exampleKeyDifferences(
  validator: OpenApiValidator,
  exchange: RecordedExchange,
): string[] {
  const example = validator.example(exchange);
  if (example === undefined) return [];
  const actual = keyShape(exchange.body);
  const expected = keyShape(example);
  const comparable = (key: string) =>
    !key.includes("[].") ||
    actual.some((other) => other.startsWith(key.split("[].")[0]!) && other.includes("[]."));
  const extra = actual.filter((key) => !expected.includes(key) && comparable(key));
  const missing = expected.filter((key) => !actual.includes(key) && comparable(key));
  return [...extra.map((key) => `+${key}`), ...missing.map((key) => `-${key}`)].map(
    (difference) =>
      `${exchange.method} ${validator.templateFor(new URL(exchange.uri).pathname)}: ${difference}`,
  );
}

/** A request client that records every exchange (raw parsed body) for validation. */
export class RecordingRequestClient extends EmulatorRequestClient {
  readonly exchanges: RecordedExchange[] = [];
  override async request<TData>(options: EmulatorRequestOptions<TData>) {
    const response = await super.request<TData>(options);
    this.exchanges.push({
      method: options.method,
      uri: options.uri,
      statusCode: response.statusCode,
      body: response.body,
    });
    return response;
  }
}
