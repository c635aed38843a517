import type { EmulatorRoute } from "./types.js";

interface CompiledRoute {
  route: EmulatorRoute;
  segments: string[];
}

/** What `match` found for a path: a route, or only routes with other methods, or nothing. */
export type RouteMatch =
  | { kind: "found"; route: EmulatorRoute; params: Record<string, string> }
  | { kind: "wrong-method" }
  | { kind: "none" };

/**
 * A tiny path router. Paths are compared segment by segment (so `%2F` inside a unique name
 * never splits a segment); a literal segment beats a `:param` when both could match.
 */
export class Router {
  readonly #routes: CompiledRoute[] = [];

  mount(routes: readonly EmulatorRoute[]): void {
    for (const route of routes) this.#routes.push({ route, segments: split(route.pattern) });
  }

  match(method: string, path: string): RouteMatch {
    const segments = split(path);
    let best:
      | { route: EmulatorRoute; params: Record<string, string>; literals: number }
      | undefined;
    let pathMatched = false;
    for (const compiled of this.#routes) {
      const found = matchSegments(compiled.segments, segments);
      if (!found) continue;
      pathMatched = true;
      if (compiled.route.method !== method) continue;
      if (!best || found.literals > best.literals) best = { route: compiled.route, ...found };
    }
    if (best) return { kind: "found", route: best.route, params: best.params };
    return pathMatched ? { kind: "wrong-method" } : { kind: "none" };
  }
}

function split(path: string): string[] {
  return path.split("/").filter((segment) => segment.length > 0);
}

function matchSegments(pattern: string[], path: string[]) {
  if (pattern.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  let literals = 0;
  for (let index = 0; index < pattern.length; index++) {
    const expected = pattern[index]!;
    const actual = path[index]!;
    const name = parameterName(expected);
    if (name !== undefined) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
      params[name] = decoded;
    } else if (expected === actual) {
      literals++;
    } else {
      return undefined;
    }
  }
  return { params, literals };
}

function parameterName(segment: string): string | undefined {
  if (segment.startsWith(":")) return segment.slice(1);
  if (segment.startsWith("{") && segment.endsWith("}")) return segment.slice(1, -1);
  return undefined;
}
