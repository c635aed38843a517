import { twilioErrors } from "../http/twilio-errors.js";
import type { EmulatorRequest, EmulatorRoute } from "../http/types.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import {
  addMessage,
  findMessage,
  type MessageInput,
  removeMessage,
  updateMessage,
} from "../store/message-actions.js";
import { defined, FormFields, restOrigin } from "./form-fields.js";
import { pageSizes, paginate } from "./paginate.js";
import { inBothForms, serviceOf } from "./route-helpers.js";
import { messageJson, receiptJson } from "./serialize.js";

function messageInput(fields: FormFields): MessageInput {
  return defined({
    author: fields.string("Author"),
    body: fields.string("Body"),
    attributes: fields.string("Attributes"),
    mediaSids: fields.list("MediaSid"),
    contentSid: fields.string("ContentSid"),
    contentVariables: fields.string("ContentVariables"),
    dateCreated: fields.date("DateCreated"),
    dateUpdated: fields.date("DateUpdated"),
  });
}

/** Messages (create, list with `Order`, fetch, update, delete) and their delivery receipts. */
export function messageRoutes(store: EmulatorStore): EmulatorRoute[] {
  const base = "/Conversations/:conversationSid/Messages";
  const locate = (request: EmulatorRequest) => {
    const { service, prefix } = serviceOf(store, request);
    return { prefix, conversation: store.conversation(service, request.params.conversationSid!) };
  };
  return inBothForms([
    {
      method: "POST",
      suffix: base,
      handler: async (request) => {
        const { prefix, conversation } = locate(request);
        const fields = new FormFields(request.form);
        if (fields.string("ContentVariables") !== undefined) {
          try {
            JSON.parse(fields.string("ContentVariables")!);
          } catch {
            throw twilioErrors.invalidParameter("ContentVariables", "must be a JSON object");
          }
        }
        const message = await addMessage(
          store,
          conversation,
          messageInput(fields),
          restOrigin(request),
        );
        return { status: 201, body: messageJson(store, prefix, message) };
      },
    },
    {
      method: "GET",
      suffix: base,
      handler: (request) => {
        const { prefix, conversation } = locate(request);
        const order = request.query.get("Order") ?? "asc";
        if (order !== "asc" && order !== "desc")
          throw twilioErrors.invalidParameter("Order", "must be asc or desc");
        const items =
          order === "asc" ? [...conversation.messages] : [...conversation.messages].reverse();
        return paginate(
          request,
          `${prefix}/Conversations/${conversation.sid}/Messages`,
          "messages",
          items,
          (item) => messageJson(store, prefix, item),
          pageSizes.standard,
        );
      },
    },
    {
      method: "GET",
      suffix: `${base}/:messageSid`,
      handler: (request) => {
        const { prefix, conversation } = locate(request);
        return {
          status: 200,
          body: messageJson(store, prefix, findMessage(conversation, request.params.messageSid!)),
        };
      },
    },
    {
      method: "POST",
      suffix: `${base}/:messageSid`,
      handler: async (request) => {
        const { prefix, conversation } = locate(request);
        const message = findMessage(conversation, request.params.messageSid!);
        await updateMessage(
          store,
          conversation,
          message,
          messageInput(new FormFields(request.form)),
          restOrigin(request),
        );
        return { status: 200, body: messageJson(store, prefix, message) };
      },
    },
    {
      method: "DELETE",
      suffix: `${base}/:messageSid`,
      handler: async (request) => {
        const { conversation } = locate(request);
        await removeMessage(
          store,
          conversation,
          findMessage(conversation, request.params.messageSid!),
          restOrigin(request),
        );
        return { status: 204 };
      },
    },
    {
      method: "GET",
      suffix: `${base}/:messageSid/Receipts`,
      handler: (request) => {
        const { prefix, conversation } = locate(request);
        const message = findMessage(conversation, request.params.messageSid!);
        return paginate(
          request,
          `${prefix}/Conversations/${conversation.sid}/Messages/${message.sid}/Receipts`,
          "delivery_receipts",
          [...message.receipts.values()],
          (item) => receiptJson(store, prefix, item),
          pageSizes.small,
        );
      },
    },
    {
      method: "GET",
      suffix: `${base}/:messageSid/Receipts/:receiptSid`,
      handler: (request) => {
        const { prefix, conversation } = locate(request);
        const message = findMessage(conversation, request.params.messageSid!);
        const receipt = message.receipts.get(request.params.receiptSid!);
        if (!receipt) throw twilioErrors.notFound(request.path);
        return { status: 200, body: receiptJson(store, prefix, receipt) };
      },
    },
  ]);
}
