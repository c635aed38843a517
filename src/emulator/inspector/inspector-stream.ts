import type { IncomingMessage, ServerResponse } from "node:http";
import type { InspectorState } from "./inspector-state.js";

export interface InspectorStreamOptions {
  /** The current state; sent when a client connects and after every change. */
  getState(): InspectorState;
  /** Calls `onChange` whenever the emulator's state changes; returns an unsubscribe function. */
  subscribe(onChange: () => void): () => void;
  /**
   * Interval of keep-alive comments, in milliseconds (default 15 000), so idle proxies and
   * browsers keep the stream open.
   */
  heartbeatMs?: number;
}

/**
 * Creates the `GET /_emulator/stream` handler: Server-Sent Events with one `state` event
 * (the whole `InspectorState` as JSON) on connect and after changes. A burst of changes in
 * one tick is sent once, and a slow client gets only the newest state once it drains, so
 * the emulator never buffers an unbounded backlog. Mount it on the raw Node server (it
 * keeps the response open, which the JSON route shape cannot).
 */
export function createInspectorStream(
  options: InspectorStreamOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  return (request, response) => {
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    let scheduled = false;
    let blocked = false;
    let dirty = false;
    let closed = false;

    const send = () => {
      scheduled = false;
      if (closed) return;
      if (blocked) {
        dirty = true;
        return;
      }
      dirty = false;
      // JSON.stringify emits no raw newlines, so one `data:` line holds the event.
      const ok = response.write(`event: state\ndata: ${JSON.stringify(options.getState())}\n\n`);
      if (!ok) blocked = true;
    };
    const schedule = () => {
      if (scheduled || closed) return;
      scheduled = true;
      setImmediate(send);
    };

    response.on("drain", () => {
      blocked = false;
      if (dirty) schedule();
    });
    const unsubscribe = options.subscribe(schedule);
    const heartbeat = setInterval(() => {
      if (!blocked && !closed) response.write(": keep-alive\n\n");
    }, heartbeatMs);
    heartbeat.unref();

    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
    };
    request.on("close", close);
    response.on("close", close);
    // Tell EventSource how long to wait before reconnecting after a restart.
    response.write("retry: 1000\n\n");
    send();
  };
}
