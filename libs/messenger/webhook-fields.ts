/**
 * The Messenger webhook fields Parley subscribes every page to (meta-platform.md, "Tokens and page
 * connection" step 5): one list for the Graph client, the settings page that tells admins what to
 * tick in the Meta app, the simulator's default subscription and the tests.
 */
export const MESSENGER_WEBHOOK_FIELDS = [
  'messages',
  'messaging_postbacks',
  'message_deliveries',
  'message_reads',
  'message_echoes',
  'message_reactions',
] as const;
