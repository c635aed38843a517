import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Serves a `(request, response) => Promise<boolean>` handler on 127.0.0.1, port 0. */
export async function serveHandler(
  handler: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>,
): Promise<{ url: string; close(): Promise<void>; dropConnections(): void }> {
  const server = createServer((request, response) => {
    handler(request, response).then(
      (handled) => {
        if (!handled) {
          response.writeHead(404, { "content-type": "text/plain" });
          response.end("not handled");
        }
      },
      (error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dropConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** One parsed Server-Sent Event. */
export interface ReceivedEvent {
  event: string;
  data: unknown;
  id?: string;
}

interface EventReader {
  reader: ReadableStreamDefaultReader<string>;
  buffer: string;
  queued: ReceivedEvent[];
}
const eventReaders = new WeakMap<Response, EventReader>();

/**
 * Reads Server-Sent Events from a fetch response until `until` says stop, and resolves
 * with the events read by this call. Call it again on the same response to read on.
 */
export async function readEvents(
  response: Response,
  until: (events: ReceivedEvent[]) => boolean,
): Promise<ReceivedEvent[]> {
  let state = eventReaders.get(response);
  if (state === undefined) {
    state = {
      reader: response.body!.pipeThrough(new TextDecoderStream()).getReader(),
      buffer: "",
      queued: [],
    };
    eventReaders.set(response, state);
  }
  const events: ReceivedEvent[] = [];
  for (;;) {
    while (state.queued.length > 0 && !until(events)) events.push(state.queued.shift()!);
    if (until(events)) return events;
    const { value, done } = await state.reader.read();
    if (done) return events;
    state.buffer += value;
    let end = state.buffer.indexOf("\n\n");
    while (end !== -1) {
      const block = state.buffer.slice(0, end);
      state.buffer = state.buffer.slice(end + 2);
      end = state.buffer.indexOf("\n\n");
      const fields = new Map<string, string>();
      for (const line of block.split("\n")) {
        if (line.startsWith(":") || line === "") continue;
        const colon = line.indexOf(":");
        fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
      }
      const data = fields.get("data");
      if (data === undefined) continue;
      const id = fields.get("id");
      state.queued.push({
        event: fields.get("event") ?? "message",
        data: JSON.parse(data),
        ...(id === undefined ? {} : { id }),
      });
    }
  }
}
