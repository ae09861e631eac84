import {
  type CampaignSettingsInput,
  campaignDefaults,
  normalizeCampaignInput,
  validateCampaignInput,
  validateCannedResponse,
} from '@parley/libs/campaigns/campaign-rules.js';
import { validateMemberChange } from '@parley/libs/campaigns/membership.js';
import { type ScheduleRange, isValidTimeZone, validateSchedule } from '@parley/libs/schedule/schedule.js';
import type { FieldProblem } from '@parley/libs/shared/validation.js';
import type {
  CampaignInput,
  CannedResponseInput,
  Channel,
  RoutingStrategy,
  ScheduleRangeInput,
  ThresholdsInput,
} from '../graphql/generated';

// The server's own rules (libs/), so that the console refuses exactly what the server would. The
// libs' enums are `as const` objects whose types are the generated string unions: no casts needed.

export type { FieldProblem };
export {
  AFTER_HOURS_MESSAGE_MAX,
  CAMPAIGN_NAME_MAX,
  CANNED_RESPONSES_MAX,
  CANNED_TEXT_MAX,
  CANNED_TITLE_MAX,
  MAX_INTERACTIONS_RANGE,
  SERVICE_LEVEL_TARGET_RANGE,
} from '@parley/libs/campaigns/campaign-rules.js';
export { PENALTY_RANGE } from '@parley/libs/campaigns/membership.js';
export { MAX_SCHEDULE_RANGES } from '@parley/libs/schedule/schedule.js';
export { isValidTimeZone };

/** Every problem the server would find in this create (no `current`) or update input. */
export function campaignInputProblems(input: CampaignInput, current?: { channel: Channel }): FieldProblem[] {
  const normalized = normalizeCampaignInput(input satisfies CampaignSettingsInput);
  return validateCampaignInput(normalized, current as Parameters<typeof validateCampaignInput>[1]);
}

/** Problems of a list of ranges, named `<field>[i].from` and so on. */
export function scheduleProblems(ranges: readonly ScheduleRangeInput[], field = 'schedule'): FieldProblem[] {
  return validateSchedule(ranges satisfies readonly ScheduleRange[], field);
}

export function cannedResponseProblems(response: { title: string; text: string }): FieldProblem[] {
  return validateCannedResponse({ title: response.title.trim(), text: response.text.trim() });
}

export function memberChangeProblems(
  change: { penalty?: number | null; position?: number | null },
  memberCount: number,
): FieldProblem[] {
  return validateMemberChange(change, memberCount);
}

/** A new campaign's settings (docs/campaigns.md#fields); the zone is this browser's, which the admin can change. */
export interface CampaignDefaults {
  channel: Channel;
  enabled: boolean;
  serviceLevelTarget: number;
  strategy: RoutingStrategy;
  timezone: string;
  schedule: ScheduleRangeInput[];
  thresholds: ThresholdsInput;
  maxInteractionsPerAgent: number;
  afterHoursMessage: string | null;
  announceQueuePosition: boolean;
  cannedResponses: CannedResponseInput[];
}

export function newCampaignDefaults(): CampaignDefaults {
  return campaignDefaults() satisfies CampaignDefaults;
}
