import type { AgentFunction } from "../agents/function-agent.js";
import { normalizeReply } from "../agents/normalize-reply.js";
import type {
  Agent,
  AgentContext,
  ConversationInfo,
  HistoryMessage,
  Reply,
  Turn,
} from "../agents/types.js";

/** One call the {@link RecordingAgent} received. */
export interface RecordedCall {
  turn: Turn;
  history: readonly HistoryMessage[];
  conversation: ConversationInfo;
  signal: AbortSignal;
  /** The channel and its capabilities, as the runtime told the agent. */
  channel?: AgentContext["channel"];
  /** How the call ended, once it has: the reply, or the error it threw. */
  outcome?: { reply: Reply } | { error: unknown };
}

/** Options of {@link recordingAgent}. */
export interface RecordingAgentOptions {
  /** How to answer; default: echo the turn's text as `echo: <text>`. */
  respond?: AgentFunction;
  /** Fail this many calls first (each throws `error`), then answer normally. */
  failTimes?: number;
  /** The error the failing calls throw; default `new Error("recording agent: planned failure")`. */
  error?: unknown;
  /** Start held: every call waits until {@link RecordingAgent.release}. */
  held?: boolean;
}

/** An {@link Agent} for tests that records every call and can fail or hang on demand. */
export interface RecordingAgent extends Agent {
  /** Every call so far, in the order they started. */
  readonly calls: readonly RecordedCall[];
  /** Calls currently waiting in {@link hold}. */
  readonly heldCount: number;
  /** Answer later calls with this function. */
  answerWith(respond: AgentFunction): void;
  /** Make the next `times` calls throw `error`. */
  failNext(times: number, error?: unknown): void;
  /** Make later calls wait until {@link release} (or until their signal aborts). */
  hold(): void;
  /** Stop holding and let every waiting call go on. */
  release(): void;
  /**
   * Resolves once at least `count` calls have started; rejects after `timeoutMs`
   * (default 5000) naming how many arrived, so a stuck test says why.
   */
  waitForCalls(count: number, options?: { timeoutMs?: number }): Promise<RecordedCall[]>;
}

/**
 * The test kit's agent: records each call (turn, history, conversation, signal), answers
 * with a configurable function (default: echo), can fail the next N calls, or hang until
 * released — enough to test retries, ordering, leases and shutdown in a runtime.
 *
 * ```ts
 * const agent = recordingAgent({ failTimes: 2 });
 * // … run the switchboard, send a message …
 * const [call] = await agent.waitForCalls(3);
 * ```
 */
export function recordingAgent(options: RecordingAgentOptions = {}): RecordingAgent {
  const calls: RecordedCall[] = [];
  let respond: AgentFunction = options.respond ?? ((turn) => ({ text: `echo: ${turn.text}` }));
  let failuresLeft = options.failTimes ?? 0;
  let failure: unknown = options.error ?? new Error("recording agent: planned failure");
  let held = options.held ?? false;
  let releaseHeld: (() => void)[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];

  const waitWhileHeld = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        releaseHeld = releaseHeld.filter((release) => release !== done);
        reject(signal.reason);
      };
      const done = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      releaseHeld.push(done);
      signal.addEventListener("abort", onAbort, { once: true });
    });

  return {
    get calls() {
      return calls;
    },
    get heldCount() {
      return releaseHeld.length;
    },
    answerWith(next) {
      respond = next;
    },
    failNext(times, error) {
      failuresLeft = times;
      if (error !== undefined) failure = error;
    },
    hold() {
      held = true;
    },
    release() {
      held = false;
      const waiting = releaseHeld;
      releaseHeld = [];
      for (const release of waiting) release();
    },
    waitForCalls(count, { timeoutMs = 5000 } = {}) {
      if (calls.length >= count) return Promise.resolve([...calls]);
      return new Promise((resolve, reject) => {
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve([...calls]);
          },
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((other) => other !== waiter);
          reject(
            new Error(
              `recording agent: expected ${count} calls, got ${calls.length} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    async respond(turn, context) {
      const call: RecordedCall = {
        turn,
        history: context.history,
        conversation: context.conversation,
        signal: context.signal,
      };
      if (context.channel !== undefined) call.channel = context.channel;
      calls.push(call);
      const ready = waiters.filter((waiter) => calls.length >= waiter.count);
      waiters = waiters.filter((waiter) => calls.length < waiter.count);
      for (const waiter of ready) waiter.resolve();
      try {
        if (held) await waitWhileHeld(context.signal);
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw failure;
        }
        const reply = normalizeReply(await respond(turn, context));
        call.outcome = { reply };
        return reply;
      } catch (error) {
        call.outcome = { error };
        throw error;
      }
    },
  };
}
