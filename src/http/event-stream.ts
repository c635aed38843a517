import type { IncomingMessage, ServerResponse } from "node:http";

export interface EventStreamOptions {
  /** Interval of keep-alive comments, in milliseconds, so idle proxies keep the stream open. */
  heartbeatMs: number;
  /** The reconnect delay `EventSource` should use, in milliseconds. */
  retryMs: number;
  /**
   * Bytes the kernel has not taken yet beyond which the client counts as stuck and the
   * stream is closed: it reconnects and resumes from its last event id, so nothing is
   * lost, and the server never buffers an unbounded backlog.
   */
  maxBufferedBytes?: number;
  /** Extra response headers (CORS). */
  headers?: Record<string, string>;
}

/** An open Server-Sent Events response. */
export interface EventStream {
  /** Sends one event; `data` is JSON-encoded (one line, since JSON has no raw newlines). */
  send(event: string, data: unknown, id?: number): void;
  /** Ends the stream. */
  close(): void;
  /** Whether the client has gone (or the stream was closed). */
  readonly closed: boolean;
  /** Registers a function to run once when the stream ends, for either side's reason. */
  onClose(callback: () => void): void;
}

/** Starts an SSE response: headers, the retry hint, heartbeats, cleanup on disconnect. */
export function openEventStream(
  request: IncomingMessage,
  response: ServerResponse,
  options: EventStreamOptions,
): EventStream {
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    "x-content-type-options": "nosniff",
    ...options.headers,
  });
  const callbacks: Array<() => void> = [];
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const callback of callbacks.splice(0)) callback();
  };
  const write = (text: string) => {
    if (closed) return;
    response.write(text);
    if (response.writableLength > maxBufferedBytes) {
      finish();
      response.destroy();
    }
  };
  const heartbeat = setInterval(() => write(": keep-alive\n\n"), options.heartbeatMs);
  heartbeat.unref();
  request.on("close", finish);
  response.on("close", finish);
  write(`retry: ${options.retryMs}\n\n`);
  // Flush the headers now so the client's `open` fires before the first event.
  response.flushHeaders();

  return {
    send(event, data, id) {
      write(
        `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
      );
    },
    close() {
      finish();
      response.end();
    },
    get closed() {
      return closed;
    },
    onClose(callback) {
      if (closed) callback();
      else callbacks.push(callback);
    },
  };
}
