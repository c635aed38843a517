import type { EmulatorRoute } from "../http/types.js";
import type { EmulatorStore } from "../store/emulator-store.js";
import type { NotificationKindSettings, ServiceRecord } from "../store/records.js";
import { FormFields } from "./form-fields.js";
import { conversationsBase } from "./serialize.js";

function kindJson(kind: NotificationKindSettings) {
  return { enabled: kind.enabled, template: kind.template, sound: kind.sound };
}

export function notificationJson(store: EmulatorStore, service: ServiceRecord) {
  const settings = service.notifications;
  return {
    account_sid: store.accountSid,
    chat_service_sid: service.sid,
    new_message: {
      ...kindJson(settings.newMessage),
      badge_count_enabled: settings.newMessage.badgeCountEnabled,
      with_media: {
        enabled: settings.newMessage.withMedia.enabled,
        template: settings.newMessage.withMedia.template,
      },
    },
    added_to_conversation: kindJson(settings.addedToConversation),
    removed_from_conversation: kindJson(settings.removedFromConversation),
    log_enabled: settings.logEnabled,
    url: `${conversationsBase}/Services/${service.sid}/Configuration/Notifications`,
  };
}

/** Applies `{Kind}.Enabled`, `{Kind}.Template` and `{Kind}.Sound` to one kind. */
function applyKind(fields: FormFields, name: string, kind: NotificationKindSettings): void {
  kind.enabled = fields.boolean(`${name}.Enabled`) ?? kind.enabled;
  kind.template = fields.string(`${name}.Template`) ?? kind.template;
  kind.sound = fields.string(`${name}.Sound`) ?? kind.sound;
}

/**
 * A service's push notification settings (`/Configuration/Notifications`), fetch and
 * update. The emulator keeps them for the API only: it sends no push notifications.
 */
export function notificationRoutes(store: EmulatorStore): EmulatorRoute[] {
  const pattern = "/v1/Services/:serviceSid/Configuration/Notifications";
  return [
    {
      method: "GET",
      pattern,
      handler: (request) => {
        const service = store.service(request.params.serviceSid);
        return { status: 200, body: notificationJson(store, service) };
      },
    },
    {
      method: "POST",
      pattern,
      handler: (request) => {
        const service = store.service(request.params.serviceSid);
        const fields = new FormFields(request.form);
        const settings = service.notifications;
        settings.logEnabled = fields.boolean("LogEnabled") ?? settings.logEnabled;
        applyKind(fields, "NewMessage", settings.newMessage);
        settings.newMessage.badgeCountEnabled =
          fields.boolean("NewMessage.BadgeCountEnabled") ?? settings.newMessage.badgeCountEnabled;
        const withMedia = settings.newMessage.withMedia;
        withMedia.enabled = fields.boolean("NewMessage.WithMedia.Enabled") ?? withMedia.enabled;
        withMedia.template = fields.string("NewMessage.WithMedia.Template") ?? withMedia.template;
        applyKind(fields, "AddedToConversation", settings.addedToConversation);
        applyKind(fields, "RemovedFromConversation", settings.removedFromConversation);
        return { status: 200, body: notificationJson(store, service) };
      },
    },
  ];
}
