import { MESSENGER_WEBHOOK_FIELDS } from '../messenger/webhook-fields.js';

/**
 * The demo world: stable ids so tests, docs and demos can name them. Numeric like Facebook's, but
 * in ranges of their own (persons 2…, pages 1…, PSIDs 3…) so a mix-up shows at a glance.
 */
export const SEED = {
  persons: {
    dana: { id: '2000000000000001', name: 'Dana Demo' },
    /** Logs in fine but administers no page: `me/accounts` is empty. */
    sam: { id: '2000000000000002', name: 'Sam Nopages' },
  },
  pages: {
    bakery: { id: '1000000000000001', name: 'Parley Demo Bakery', token: 'EAASimPageToken1000000000000001' },
    bikes: { id: '1000000000000002', name: 'Parley Demo Bikes', token: 'EAASimPageToken1000000000000002' },
  },
  customers: {
    bakery: {
      ada: { psid: '3100000000000001', firstName: 'Ada', lastName: 'Baker' },
      bjorn: { psid: '3100000000000002', firstName: 'Björn', lastName: 'Øster' },
      /** `{PSID}?fields=…` answers (#100) No profile available for this user (2018218). */
      noProfile: { psid: '3100000000000003' },
    },
    bikes: {
      carla: { psid: '3200000000000001', firstName: 'Carla', lastName: 'Gómez' },
      bjorn: { psid: '3200000000000002', firstName: 'Björn', lastName: 'Øster' },
      noProfile: { psid: '3200000000000003' },
    },
  },
} as const;

/** What a page admin may do on the page, as `me/accounts` lists it. */
export const ADMIN_TASKS = ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'];

/** The permissions Parley asks for; seeded page tokens hold them all. */
export const PARLEY_SCOPES = [
  'pages_show_list',
  'pages_messaging',
  'pages_manage_metadata',
  'pages_read_engagement',
];

/** The fields `subscribed_apps` accepts (the Messenger ones Parley uses, plus a few it does not). */
export const WEBHOOK_FIELDS: readonly string[] = [
  ...MESSENGER_WEBHOOK_FIELDS,
  'messaging_optins',
  'messaging_referrals',
  'messaging_handovers',
  'standby',
];
