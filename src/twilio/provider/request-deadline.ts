import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The time (epoch ms, `Date.now()`) by which the requests of the current call must have ended,
 * carried through the Twilio SDK (which takes no per-call options) to the request client:
 * a request is not started after it, and one in flight is cut off at it. A send bounded so
 * has either landed at Twilio or failed by then, which is what lets another instance look for
 * the reply — and send it if absent — without racing a request still on its way.
 */
const deadlines = new AsyncLocalStorage<number>();

/** Runs `work` with its requests bounded by `deadline`. */
export function withRequestDeadline<T>(deadline: number, work: () => Promise<T>): Promise<T> {
  return deadlines.run(deadline, work);
}

/** The current call's request deadline, if it has one. */
export function currentRequestDeadline(): number | undefined {
  return deadlines.getStore();
}
