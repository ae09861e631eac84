import { randomUUID } from 'node:crypto';
import { gql } from './graphql.js';

/** A schedule open around the clock: for a test that routes chats whatever the time it runs at. */
export const ALWAYS_OPEN = [
  { days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], from: '00:00', to: '24:00' },
];

/** Every field of Campaign, members included, for assertions on the whole state. */
export const CAMPAIGN_FIELDS = `
  id name channel enabled serviceLevelTarget pageName pageId strategy timezone
  schedule { days from to } isOpenNow
  thresholds { serviceLevelSeconds dropoutSeconds chatTimeSeconds acdMaxWaiting }
  maxInteractionsPerAgent afterHoursMessage announceQueuePosition cannedResponses { id title text }
  tokenStatus tokenCheckedAt tokenError deleted
  members { id campaignId penalty position receivesInteractions user { id username } }
`;

export interface CampaignMemberView {
  id: string;
  campaignId: string;
  penalty: number;
  position: number;
  receivesInteractions: boolean;
  user: { id: string; username: string };
}

export interface CampaignView {
  id: string;
  name: string;
  channel: string;
  enabled: boolean;
  serviceLevelTarget: number;
  pageName: string | null;
  pageId: string | null;
  strategy: string;
  timezone: string;
  schedule: { days: string[]; from: string; to: string }[];
  isOpenNow: boolean;
  thresholds: {
    serviceLevelSeconds: number;
    dropoutSeconds: number;
    chatTimeSeconds: number;
    acdMaxWaiting: number;
  };
  maxInteractionsPerAgent: number;
  afterHoursMessage: string | null;
  announceQueuePosition: boolean;
  cannedResponses: { id: string; title: string; text: string }[];
  tokenStatus: string;
  tokenCheckedAt: string | null;
  tokenError: string | null;
  deleted: boolean;
  members: CampaignMemberView[];
}

/** Creates a campaign as the given admin and returns it whole; fails the test on any error. */
export async function createCampaign(
  baseUrl: string,
  token: string,
  input: Record<string, unknown>,
): Promise<CampaignView> {
  const result = await gql<{ createCampaign: CampaignView }>(
    baseUrl,
    `mutation($input: CampaignInput!) { createCampaign(input: $input) { ${CAMPAIGN_FIELDS} } }`,
    { input },
    { token },
  );
  if (!result.data?.createCampaign)
    throw new Error(`createCampaign failed: ${JSON.stringify(result.errors)}`);
  return result.data.createCampaign;
}

/** One campaign as an admin sees it, or null. */
export async function readCampaign(baseUrl: string, token: string, id: string): Promise<CampaignView | null> {
  const result = await gql<{ campaign: CampaignView | null }>(
    baseUrl,
    `query($id: ID!) { campaign(id: $id) { ${CAMPAIGN_FIELDS} } }`,
    { id },
    { token },
  );
  if (result.errors) throw new Error(`campaign failed: ${JSON.stringify(result.errors)}`);
  return result.data!.campaign;
}

/** Every campaign as an admin sees it. */
export async function listCampaigns(baseUrl: string, token: string): Promise<CampaignView[]> {
  const result = await gql<{ campaigns: CampaignView[] }>(
    baseUrl,
    `{ campaigns { ${CAMPAIGN_FIELDS} } }`,
    {},
    { token },
  );
  if (result.errors) throw new Error(`campaigns failed: ${JSON.stringify(result.errors)}`);
  return result.data!.campaigns;
}

/**
 * A customer's closed conversation in the campaign, stored as Messenger ingest stores one (a
 * contact and an interaction): history that keeps a campaign from being deleted.
 */
export async function storeClosedInteraction(
  db: { query(sql: string, params: unknown[]): Promise<unknown> },
  campaignId: string,
): Promise<void> {
  const contactId = randomUUID();
  await db.query(
    "INSERT INTO contacts (id, pageId, psid, name) VALUES (?, '1000000000000009', ?, 'Ada Baker')",
    [contactId, `31${Date.now()}${Math.floor(Math.random() * 1000)}`],
  );
  await db.query("INSERT INTO interactions (id, campaignId, contactId, status) VALUES (?, ?, ?, 'CLOSED')", [
    randomUUID(),
    campaignId,
    contactId,
  ]);
}
