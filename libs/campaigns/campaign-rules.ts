import {
  defaultSchedule,
  normalizeTimeZone,
  type ScheduleRange,
  serverTimeZone,
  isValidTimeZone,
  validateSchedule,
} from '../schedule/schedule.js';
import { Channel, RoutingStrategy } from '../shared/campaigns.js';
import type { FieldProblem } from '../shared/validation.js';

/** Campaign field rules (docs/campaigns.md#fields), shared so the console validates exactly as the server does. */
export const CAMPAIGN_NAME_MAX = 100;
export const PAGE_NAME_MAX = 200;
export const AFTER_HOURS_MESSAGE_MAX = 2000;
export const CANNED_TITLE_MAX = 100;
export const CANNED_TEXT_MAX = 2000;
export const CANNED_RESPONSES_MAX = 100;
export const MAX_INTERACTIONS_RANGE = { min: 1, max: 50 } as const;
export const SERVICE_LEVEL_TARGET_RANGE = { min: 0, max: 100 } as const;
/** Thresholds are stored as signed 32-bit integers. */
export const THRESHOLD_MAX = 2_147_483_647;

export interface Thresholds {
  serviceLevelSeconds: number;
  dropoutSeconds: number;
  chatTimeSeconds: number;
  acdMaxWaiting: number;
}

export const THRESHOLD_FIELDS: readonly (keyof Thresholds)[] = [
  'serviceLevelSeconds',
  'dropoutSeconds',
  'chatTimeSeconds',
  'acdMaxWaiting',
];

export interface CannedResponseText {
  title: string;
  text: string;
}

/** Everything an admin sets on a campaign. */
export interface CampaignSettings {
  name: string;
  channel: Channel;
  enabled: boolean;
  serviceLevelTarget: number;
  pageName: string | null;
  strategy: RoutingStrategy;
  timezone: string;
  schedule: ScheduleRange[];
  thresholds: Thresholds;
  maxInteractionsPerAgent: number;
  afterHoursMessage: string | null;
  announceQueuePosition: boolean;
  cannedResponses: CannedResponseText[];
}

/** What a create or update sends: omitted (undefined) fields take their default or stay unchanged. */
export type CampaignSettingsInput = { [K in keyof CampaignSettings]?: CampaignSettings[K] | null };

/** Fields that may be cleared with an explicit null; the others refuse null. */
const NULLABLE: ReadonlySet<keyof CampaignSettings> = new Set(['pageName', 'afterHoursMessage']);

/** The defaults of docs/campaigns.md#fields, for everything but the name. The zone is this process's own. */
export function campaignDefaults(): Omit<CampaignSettings, 'name'> {
  return {
    channel: Channel.MESSENGER,
    enabled: true,
    serviceLevelTarget: 80,
    pageName: null,
    strategy: RoutingStrategy.RRMEMORY,
    timezone: serverTimeZone(),
    schedule: defaultSchedule(),
    thresholds: { serviceLevelSeconds: 30, dropoutSeconds: 300, chatTimeSeconds: 900, acdMaxWaiting: 10 },
    maxInteractionsPerAgent: 3,
    afterHoursMessage: null,
    announceQueuePosition: false,
    cannedResponses: [],
  };
}

const trimmed = (value: string | null | undefined) => (typeof value === 'string' ? value.trim() : value);
/** Blank optional texts mean "none". */
const blankToNull = (value: string | null | undefined) => {
  const t = trimmed(value);
  return t === '' ? null : t;
};

/** Trims texts, stores blank optional texts as null and fixes the letter case of the zone. Omitted fields stay omitted. */
export function normalizeCampaignInput(input: CampaignSettingsInput): CampaignSettingsInput {
  const out: CampaignSettingsInput = { ...input };
  if (input.name !== undefined) out.name = trimmed(input.name);
  if (input.pageName !== undefined) out.pageName = blankToNull(input.pageName);
  if (input.afterHoursMessage !== undefined) out.afterHoursMessage = blankToNull(input.afterHoursMessage);
  if (typeof input.timezone === 'string') out.timezone = normalizeTimeZone(input.timezone.trim());
  if (Array.isArray(input.cannedResponses)) {
    out.cannedResponses = input.cannedResponses.map((r) => ({
      title: r?.title?.trim(),
      text: r?.text?.trim(),
    }));
  }
  if (Array.isArray(input.schedule)) {
    out.schedule = input.schedule.map((r) => ({ days: r?.days, from: r?.from?.trim(), to: r?.to?.trim() }));
  }
  return out;
}

const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
const lengthBetween = (value: unknown, min: number, max: number) =>
  typeof value === 'string' && value.trim().length >= min && value.length <= max;

function intBetween(problems: FieldProblem[], field: string, value: unknown, min: number, max: number) {
  if (!isInt(value) || value < min || value > max)
    problems.push({ field, problem: `must be between ${min} and ${max}` });
}

/**
 * Every problem of a campaign input, each naming its field. `current` is the saved campaign on an
 * update (absent on create, where the name is required). Run it on the normalized input.
 */
export function validateCampaignInput(
  input: CampaignSettingsInput,
  current?: { channel: Channel },
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const creating = current === undefined;

  for (const [key, value] of Object.entries(input) as [keyof CampaignSettings, unknown][]) {
    if (value === null && key !== 'name' && !NULLABLE.has(key)) {
      problems.push({
        field: key,
        problem: `cannot be null; leave it out to ${creating ? 'use the default' : 'keep it'}`,
      });
    }
  }

  if (input.name === null || (creating && input.name === undefined)) {
    problems.push({ field: 'name', problem: 'is required' });
  } else if (input.name !== undefined && !lengthBetween(input.name, 1, CAMPAIGN_NAME_MAX)) {
    problems.push({ field: 'name', problem: `must be 1 to ${CAMPAIGN_NAME_MAX} characters` });
  }

  if (input.channel != null) {
    if (!Object.values(Channel).includes(input.channel)) {
      problems.push({ field: 'channel', problem: `must be ${Object.values(Channel).join(' or ')}` });
    } else if (current && input.channel !== current.channel) {
      problems.push({
        field: 'channel',
        problem: `cannot change once the campaign exists (it is ${current.channel}); create another campaign instead`,
      });
    }
  }

  if (input.enabled != null && typeof input.enabled !== 'boolean') {
    problems.push({ field: 'enabled', problem: 'must be true or false' });
  }
  if (input.announceQueuePosition != null && typeof input.announceQueuePosition !== 'boolean') {
    problems.push({ field: 'announceQueuePosition', problem: 'must be true or false' });
  }
  if (input.serviceLevelTarget != null) {
    const { min, max } = SERVICE_LEVEL_TARGET_RANGE;
    intBetween(problems, 'serviceLevelTarget', input.serviceLevelTarget, min, max);
  }
  if (input.pageName != null && !lengthBetween(input.pageName, 0, PAGE_NAME_MAX)) {
    problems.push({ field: 'pageName', problem: `must be at most ${PAGE_NAME_MAX} characters` });
  }
  if (input.strategy != null && !Object.values(RoutingStrategy).includes(input.strategy)) {
    problems.push({
      field: 'strategy',
      problem: `must be one of ${Object.values(RoutingStrategy).join(', ')}`,
    });
  }
  if (input.timezone != null && !isValidTimeZone(input.timezone)) {
    problems.push({
      field: 'timezone',
      problem: `"${input.timezone}" is not a known IANA time zone (such as Europe/Madrid or America/Montevideo)`,
    });
  }
  if (input.schedule != null) problems.push(...validateSchedule(input.schedule, 'schedule'));

  if (input.thresholds != null) {
    for (const key of THRESHOLD_FIELDS) {
      const value = input.thresholds[key];
      if (!isInt(value) || value < 0) {
        problems.push({ field: `thresholds.${key}`, problem: 'must be a whole number, 0 or more' });
      } else if (value > THRESHOLD_MAX) {
        problems.push({ field: `thresholds.${key}`, problem: `must be at most ${THRESHOLD_MAX}` });
      }
    }
  }
  if (input.maxInteractionsPerAgent != null) {
    const { min, max } = MAX_INTERACTIONS_RANGE;
    intBetween(problems, 'maxInteractionsPerAgent', input.maxInteractionsPerAgent, min, max);
  }
  if (
    input.afterHoursMessage != null &&
    !lengthBetween(input.afterHoursMessage, 0, AFTER_HOURS_MESSAGE_MAX)
  ) {
    problems.push({
      field: 'afterHoursMessage',
      problem: `must be at most ${AFTER_HOURS_MESSAGE_MAX} characters`,
    });
  }

  if (input.cannedResponses != null) {
    if (input.cannedResponses.length > CANNED_RESPONSES_MAX) {
      problems.push({
        field: 'cannedResponses',
        problem: `must have at most ${CANNED_RESPONSES_MAX} responses`,
      });
    } else {
      input.cannedResponses.forEach((response, i) =>
        problems.push(...validateCannedResponse(response, `cannedResponses[${i}]`)),
      );
    }
  }
  return problems;
}

/** Problems of one canned response; `field` prefixes the names (`cannedResponses[2]` gives `cannedResponses[2].title`). */
export function validateCannedResponse(
  response: Partial<CannedResponseText> | null,
  field = '',
): FieldProblem[] {
  const at = (name: string) => (field ? `${field}.${name}` : name);
  const problems: FieldProblem[] = [];
  if (!lengthBetween(response?.title, 1, CANNED_TITLE_MAX)) {
    problems.push({ field: at('title'), problem: `must be 1 to ${CANNED_TITLE_MAX} characters` });
  }
  if (!lengthBetween(response?.text, 1, CANNED_TEXT_MAX)) {
    problems.push({ field: at('text'), problem: `must be 1 to ${CANNED_TEXT_MAX} characters` });
  }
  return problems;
}
