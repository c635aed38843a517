import type { IncomingMessage } from "node:http";
import { describeValue } from "../../../describe-value.js";
import { ConfigError } from "../../../errors.js";
import { handleWebhookRequest, type WebhookHandlerOptions } from "./handle-webhook-request.js";
import {
  validateWebhookHandlerOptions,
  webhookHandlerOptionKeys,
} from "./validate-handler-options.js";

/** The few Fastify request members the plugin uses. */
export interface FastifyRequestLike {
  raw: IncomingMessage;
  body: unknown;
}

/** The few Fastify reply members the plugin uses. */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

/**
 * The few Fastify instance members the plugin uses; a `FastifyInstance` fits, so Fastify
 * need not be a dependency.
 */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    contentType: string,
    parser: (
      request: unknown,
      payload: unknown,
      done: (error: Error | null, body?: unknown) => void,
    ) => void,
  ): void;
  post(
    path: string,
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>,
  ): unknown;
}

export interface FastifyWebhookPluginOptions extends WebhookHandlerOptions {
  /** The route path, e.g. `/twilio/webhook`. */
  path: string;
}

const fastifyPluginOptionKeys = {
  ...webhookHandlerOptionKeys,
  path: true,
} as const satisfies Record<keyof FastifyWebhookPluginOptions, true>;

/**
 * A Fastify plugin registering `POST path`. Inside the plugin's (encapsulated) scope every
 * content-type parser is replaced by one that leaves the body unread, so the shared handler
 * reads the exact bytes the signature covers with its own size cap, and answers JSON or
 * other bodies itself. Register with `app.register(createFastifyWebhookPlugin({ … }))`.
 * Throws `ConfigError` naming the option when the options could not serve a webhook.
 */
export function createFastifyWebhookPlugin(
  options: FastifyWebhookPluginOptions,
): (fastify: FastifyInstanceLike) => Promise<void> {
  const owner = "createFastifyWebhookPlugin";
  validateWebhookHandlerOptions(options, owner, fastifyPluginOptionKeys);
  if (typeof options.path !== "string" || !options.path.startsWith("/"))
    throw new ConfigError(
      "path",
      `${owner} needs path, the route Twilio posts to, starting with "/" (e.g. "/twilio/webhook"); got ${describeValue(options.path)}.`,
    );
  return async (fastify) => {
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
    fastify.post(options.path, async (request, reply) => {
      const raw = request.raw;
      // Only if the plugin was registered without encapsulation and another parser read the
      // body first: hand over what that parser produced.
      const input = raw.readableEnded
        ? {
            url: raw.url ?? options.path,
            headers: raw.headers,
            method: raw.method,
            body: (request.body ?? undefined) as Record<string, unknown> | undefined,
          }
        : raw;
      const answer = await handleWebhookRequest(input, options);
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
  };
}
