import { EmulatorRestError } from "./rest-error.js";

/**
 * Every Twilio error the emulator produces, in one table so a wrong status or wording is
 * corrected in one place. Codes 20003, 20404 and 20429 are verified; the rest follow
 * Twilio's error pages and SDK issue reports (see shared/reference).
 */
export const twilioErrors = {
  /**
   * Twilio's 401 body carries `detail` beside `message`: `{"code": 20003, "detail": "Your
   * AccountSid or AuthToken was incorrect.", "message": "Authenticate", …}`, the body Twilio
   * helper libraries' own test fixtures record from the API.
   */
  authenticate: () =>
    new EmulatorRestError(
      401,
      20003,
      "Authenticate",
      "Your AccountSid or AuthToken was incorrect.",
    ),
  notFound: (path: string) =>
    new EmulatorRestError(404, 20404, `The requested resource ${path} was not found`),
  methodNotAllowed: (method: string) =>
    new EmulatorRestError(405, 20004, `Method not allowed: ${method}`),
  missingParameter: (name: string) =>
    new EmulatorRestError(400, 20001, `Missing required parameter ${name} in the post body`),
  invalidParameter: (name: string, detail: string) =>
    new EmulatorRestError(400, 20001, `Invalid parameter ${name}: ${detail}`),
  attributesNotJson: () => new EmulatorRestError(400, 50304, "Attributes not valid JSON"),
  attributesTooLarge: (limit: number) =>
    new EmulatorRestError(400, 50305, `Attributes exceed the maximum size of ${limit} bytes`),
  uniqueNameTaken: (name: string) =>
    new EmulatorRestError(
      409,
      50353,
      `Conversation with provided unique name ${name} already exists`,
    ),
  uniqueNameLooksLikeSid: () =>
    new EmulatorRestError(400, 50390, "Unique name cannot match the conversation SID pattern"),
  conversationClosed: () =>
    new EmulatorRestError(
      400,
      50377,
      "Conversation is in the final state closed and cannot be modified",
    ),
  cannotCreateClosed: () =>
    new EmulatorRestError(400, 50384, "A conversation cannot be created in the state closed"),
  addressPairInUse: (conversationSid: string) =>
    new EmulatorRestError(
      409,
      50416,
      `A binding for this participant and proxy address already exists in Conversation ${conversationSid}`,
    ),
  identityTaken: () => new EmulatorRestError(409, 50433, "Participant already exists"),
  tooManyNonChatParticipants: () =>
    new EmulatorRestError(400, 50418, "Conversation reached the limit of 50 non-chat participants"),
  addressEqualsProxy: () =>
    new EmulatorRestError(400, 50409, "Participant address and proxy address are the same"),
  addressChannelMismatch: () =>
    new EmulatorRestError(
      400,
      50414,
      "Participant address and proxy address are of different channel types",
    ),
  missingProxyAddress: () =>
    new EmulatorRestError(400, 50408, "Proxy address is required for a non-chat participant"),
  bodyTooLong: () =>
    new EmulatorRestError(
      400,
      21617,
      "The concatenated message body exceeds the 1600 character limit",
    ),
  invalidTimer: (name: string, minimum: string, maximum: string) =>
    new EmulatorRestError(
      400,
      50398,
      `${name} must be an ISO-8601 duration of at least ${minimum} and at most ${maximum}`,
    ),
  mediaNotFound: (sid: string) => new EmulatorRestError(400, 50511, `Media ${sid} was not found`),
  contentNotFound: (sid: string) =>
    new EmulatorRestError(400, 50513, `Content template ${sid} was not found`),
  messageEmpty: () =>
    new EmulatorRestError(400, 50006, "A message needs a Body, a MediaSid or a ContentSid"),
  tooManyConversationWebhooks: () =>
    new EmulatorRestError(400, 50500, "A conversation can have at most 5 webhooks"),
  userIdentityTaken: (identity: string) =>
    new EmulatorRestError(409, 50201, `User with identity ${identity} already exists`),
  conversationWithParticipantsPairInUse: (detail: string) =>
    new EmulatorRestError(
      409,
      50425,
      `A participant's address and proxy address are already in use: ${detail}`,
    ),
  conversationWithParticipantsFailed: (detail: string) =>
    new EmulatorRestError(
      400,
      50427,
      `Adding participants failed and the conversation was moved to closed: ${detail}`,
    ),
  tooManyParticipantsInRequest: () =>
    new EmulatorRestError(400, 50426, "At most 10 participants can be added in one request"),
  bodyTooLarge: () => new EmulatorRestError(413, 20001, "Request body too large"),
  /** Error 50109 "Conversation role not found" (twilio.com/docs/api/errors/50109). */
  roleNotFound: (sid: string, type: "conversation" | "service") =>
    new EmulatorRestError(400, 50109, `Specified ${type} role ${sid} does not exist`),
  /**
   * `PageSize` above the list's maximum: Twilio's OpenAPI file bounds every `PageSize` with
   * `maximum` (50, 100, 5 …), and a value outside the schema is a 400 / 20001.
   */
  pageSizeTooLarge: (maximum: number) =>
    new EmulatorRestError(400, 20001, `Invalid PageSize: must be at most ${maximum}`),
} as const;
