/**
 * A JSON encoding of the emulator's in-memory object graph that keeps what plain
 * `JSON.stringify` loses: `Map`s, `Set`s, `undefined`, binary data, and shared references
 * (a device inbox entry and its conversation hold the same message object; decoded, they
 * still do). It is generic on purpose: a field added to the store is persisted without
 * anyone listing it, and a value it cannot represent faithfully (a function, a class
 * instance, a symbol) is refused with its path instead of being silently flattened.
 *
 * Every non-primitive is a tagged array, so no plain JSON array is ambiguous:
 * `["o", id, {…}]` object, `["a", id, […]]` array, `["m", id, [[k, v]…]]` Map,
 * `["s", id, […]]` Set, `["b", id, blobKey]` bytes, `["r", id]` a repeat of node `id`,
 * `["u"]` undefined, `["n", "NaN" | "Infinity" | "-Infinity"]` a non-finite number.
 */
export type EncodedValue = null | boolean | number | string | EncodedValue[] | EncodedObject;
interface EncodedObject {
  [key: string]: EncodedValue;
}

/** A value cannot be encoded (or decoded); `path` says where, e.g. `store.services`. */
export class StateGraphError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = "StateGraphError";
    this.path = path;
  }
}

/**
 * Encodes `value`. Byte arrays are handed to `putBlob`, which returns the key stored in
 * their place, so large media stays out of the JSON text.
 */
export function encodeStateGraph(
  value: unknown,
  putBlob: (bytes: Uint8Array) => string,
  rootPath = "state",
): EncodedValue {
  const ids = new Map<object, number>();
  // Where the encoder is, as segments joined only for an error message: building a path
  // string for every value costs more than the encoding itself.
  const path: Array<string | number> = [rootPath];
  const fail = (message: string) => new StateGraphError(formatPath(path), message);
  const within = (segment: string | number, item: unknown): EncodedValue => {
    path.push(segment);
    const result = encode(item);
    path.pop();
    return result;
  };
  const encode = (current: unknown): EncodedValue => {
    if (current === null || typeof current === "string" || typeof current === "boolean")
      return current;
    if (current === undefined) return ["u"];
    if (typeof current === "number")
      return Number.isFinite(current) ? current : ["n", String(current)];
    if (typeof current !== "object") throw fail(`a ${typeof current} cannot be persisted`);
    const seen = ids.get(current);
    if (seen !== undefined) return ["r", seen];
    const id = ids.size;
    ids.set(current, id);
    if (current instanceof Uint8Array) return ["b", id, putBlob(current)];
    if (Array.isArray(current)) {
      const items: EncodedValue[] = [];
      for (let index = 0; index < current.length; index += 1)
        items.push(within(index, current[index]));
      return ["a", id, items];
    }
    if (current instanceof Map) {
      const entries: EncodedValue[] = [];
      for (const [key, item] of current)
        entries.push([within(mapKeys, key), within(mapEntry + String(key), item)]);
      return ["m", id, entries];
    }
    if (current instanceof Set) {
      const items: EncodedValue[] = [];
      for (const item of current) items.push(within(setValues, item));
      return ["s", id, items];
    }
    const prototype = Object.getPrototypeOf(current);
    if (prototype !== Object.prototype && prototype !== null)
      throw fail(
        `an instance of ${prototype?.constructor?.name ?? "a class"} cannot be persisted; ` +
          "keep plain objects, arrays, Maps and Sets in persisted state",
      );
    const fields: EncodedObject = {};
    for (const key of Object.keys(current)) {
      const encoded = within(key, (current as Record<string, unknown>)[key]);
      if (key === "__proto__")
        Object.defineProperty(fields, key, {
          value: encoded,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else fields[key] = encoded;
    }
    return ["o", id, fields];
  };
  return encode(value);
}

/** Path segments that are not field names (a NUL never starts a real field name). */
const mapKeys = "\u0000keys";
const setValues = "\u0000values";
const mapEntry = "\u0000get:";

/** Joins path segments: a field `.name`, an element `[0]`, a Map entry `.get("key")`. */
function formatPath(segments: ReadonlyArray<string | number>): string {
  return segments
    .map((segment, index) => {
      if (index === 0) return String(segment);
      if (typeof segment === "number") return `[${segment}]`;
      if (segment === mapKeys) return ".keys()";
      if (segment === setValues) return ".values()";
      if (segment.startsWith(mapEntry))
        return `.get(${JSON.stringify(segment.slice(mapEntry.length))})`;
      return `.${segment}`;
    })
    .join("");
}

/** Decodes what `encodeStateGraph` produced; `getBlob` returns the bytes for a blob key. */
export function decodeStateGraph(
  encoded: EncodedValue,
  getBlob: (key: string) => Buffer | undefined,
  rootPath = "state",
): unknown {
  const nodes = new Map<number, unknown>();
  const decode = (current: EncodedValue, path: string): unknown => {
    if (!Array.isArray(current)) {
      if (current !== null && typeof current === "object")
        throw new StateGraphError(path, "an untagged object is not valid state");
      return current;
    }
    const [tag, id, body] = current;
    if (tag === "u") return undefined;
    if (tag === "n") return Number(id);
    if (typeof id !== "number")
      throw new StateGraphError(path, `a "${String(tag)}" node has no id`);
    if (tag === "r") {
      if (!nodes.has(id)) throw new StateGraphError(path, `reference to unknown node ${id}`);
      return nodes.get(id);
    }
    switch (tag) {
      case "b": {
        const bytes = typeof body === "string" ? getBlob(body) : undefined;
        if (bytes === undefined) throw new StateGraphError(path, "its bytes are missing");
        nodes.set(id, bytes);
        return bytes;
      }
      case "a": {
        const array: unknown[] = [];
        nodes.set(id, array);
        for (const [index, item] of asArray(body, path).entries())
          array.push(decode(item, `${path}[${index}]`));
        return array;
      }
      case "m": {
        const map = new Map<unknown, unknown>();
        nodes.set(id, map);
        for (const entry of asArray(body, path)) {
          const [key, item] = asArray(entry, path);
          if (key === undefined || item === undefined)
            throw new StateGraphError(path, "a Map entry needs a key and a value");
          map.set(decode(key, `${path}.keys()`), decode(item, `${path}.values()`));
        }
        return map;
      }
      case "s": {
        const set = new Set<unknown>();
        nodes.set(id, set);
        for (const item of asArray(body, path)) set.add(decode(item, `${path}.values()`));
        return set;
      }
      case "o": {
        if (body === null || typeof body !== "object" || Array.isArray(body))
          throw new StateGraphError(path, "an object node needs its fields");
        const object: Record<string, unknown> = {};
        nodes.set(id, object);
        for (const [key, item] of Object.entries(body))
          Object.defineProperty(object, key, {
            value: decode(item, `${path}.${key}`),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return object;
      }
      default:
        throw new StateGraphError(path, `unknown node tag ${JSON.stringify(tag)}`);
    }
  };
  return decode(encoded, rootPath);
}

function asArray(value: EncodedValue | undefined, path: string): EncodedValue[] {
  if (!Array.isArray(value)) throw new StateGraphError(path, "expected a list");
  return value;
}
