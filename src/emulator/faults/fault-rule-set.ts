import { randomBytes } from "node:crypto";
import { FaultRuleError } from "./fault-rule-error.js";
import type {
  FaultRuleInput,
  RestFault,
  RestFaultMatch,
  WebhookFault,
  WebhookFaultMatch,
} from "./parse-fault-rule.js";

/** A stored rule: its id, what it matches and does, and how often it has fired. */
export interface FaultRule<Match, Fault> extends FaultRuleInput<Match, Fault> {
  id: string;
  /** How many requests this rule has affected so far. */
  hits: number;
}

/** A fault decided for one request: which rule fired and what to do. */
export interface DecidedFault<Fault> {
  ruleId: string;
  fault: Fault;
}

/**
 * Fault rules of one kind. Rules are tried in the order they were added; the first that
 * matches, has `times` left and wins its `rate` draw decides the fault. A rule whose
 * draw fails is not consumed.
 */
export interface FaultRuleSet<Match, Fault, Subject extends unknown[]> {
  add(input: FaultRuleInput<Match, Fault>): { id: string };
  match(...subject: Subject): DecidedFault<Fault> | undefined;
  list(): FaultRule<Match, Fault>[];
  clear(): void;
}

export interface FaultRuleSetOptions {
  /** Uniform random in [0, 1) for `rate`; inject a sequence in tests. */
  random?: () => number;
  /** At most this many rules at once (default 100), so a runaway test cannot grow memory. */
  maxRules?: number;
}

function createFaultRuleSet<Match, Fault, Subject extends unknown[]>(
  isMatch: (match: Match, ...subject: Subject) => boolean,
  options: FaultRuleSetOptions,
): FaultRuleSet<Match, Fault, Subject> {
  const random = options.random ?? Math.random;
  const maxRules = options.maxRules ?? 100;
  let rules: FaultRule<Match, Fault>[] = [];
  return {
    add(input) {
      if (rules.length >= maxRules)
        throw new FaultRuleError("body", `at most ${maxRules} fault rules; DELETE them first`);
      const rule: FaultRule<Match, Fault> = {
        ...input,
        id: `FT${randomBytes(16).toString("hex")}`,
        hits: 0,
      };
      rules.push(rule);
      return { id: rule.id };
    },
    match(...subject) {
      for (const rule of rules) {
        if (!isMatch(rule.match, ...subject)) continue;
        if (rule.rate !== undefined && !(random() < rule.rate)) continue;
        rule.hits += 1;
        if (rule.times !== undefined && rule.hits >= rule.times)
          rules = rules.filter((each) => each !== rule);
        return { ruleId: rule.id, fault: rule.fault };
      }
      return undefined;
    },
    list: () => rules.map((rule) => ({ ...rule })),
    clear() {
      rules = [];
    },
  };
}

/** REST fault rules, matched by method and a substring of the path. */
export type RestFaultEngine = FaultRuleSet<
  RestFaultMatch,
  RestFault,
  [method: string, path: string]
>;

export function createRestFaultEngine(options: FaultRuleSetOptions = {}): RestFaultEngine {
  return createFaultRuleSet<RestFaultMatch, RestFault, [string, string]>(
    (match, method, path) =>
      (match.method === undefined || match.method === method.toUpperCase()) &&
      (match.path === undefined || path.includes(match.path)),
    options,
  );
}

/** Webhook delivery fault rules, matched by event type and a substring of the URL. */
export type WebhookFaultEngine = FaultRuleSet<
  WebhookFaultMatch,
  WebhookFault,
  [eventType: string, url: string]
>;

export function createWebhookFaultEngine(options: FaultRuleSetOptions = {}): WebhookFaultEngine {
  return createFaultRuleSet<WebhookFaultMatch, WebhookFault, [string, string]>(
    (match, eventType, url) =>
      (match.event === undefined || match.event === eventType) &&
      (match.url === undefined || url.includes(match.url)),
    options,
  );
}
