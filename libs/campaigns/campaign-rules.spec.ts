import { describe, expect, it } from 'vitest';
import { Channel, RoutingStrategy, Weekday } from '../shared/campaigns.js';
import {
  campaignDefaults,
  type CampaignSettingsInput,
  normalizeCampaignInput,
  validateCampaignInput,
  validateCannedResponse,
} from './campaign-rules.js';

const valid: CampaignSettingsInput = {
  name: 'Support',
  channel: Channel.MESSENGER,
  enabled: true,
  serviceLevelTarget: 80,
  pageName: 'Acme',
  strategy: RoutingStrategy.LINEAR,
  timezone: 'Europe/Madrid',
  schedule: [{ days: [Weekday.MON], from: '09:00', to: '18:00' }],
  thresholds: { serviceLevelSeconds: 30, dropoutSeconds: 300, chatTimeSeconds: 900, acdMaxWaiting: 10 },
  maxInteractionsPerAgent: 3,
  afterHoursMessage: 'We are closed',
  announceQueuePosition: true,
  cannedResponses: [{ title: 'Hi', text: 'Hello!' }],
};

const fields = (input: CampaignSettingsInput, current?: { channel: Channel }) =>
  validateCampaignInput(input, current).map((p) => p.field);

describe('campaignDefaults', () => {
  it('follows docs/campaigns.md#fields', () => {
    expect(campaignDefaults()).toEqual({
      channel: 'MESSENGER',
      enabled: true,
      serviceLevelTarget: 80,
      pageName: null,
      strategy: 'RRMEMORY',
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      schedule: [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], from: '09:00', to: '18:00' }],
      thresholds: { serviceLevelSeconds: 30, dropoutSeconds: 300, chatTimeSeconds: 900, acdMaxWaiting: 10 },
      maxInteractionsPerAgent: 3,
      afterHoursMessage: null,
      announceQueuePosition: false,
      cannedResponses: [],
    });
  });

  it('hands out copies that callers may change', () => {
    campaignDefaults().schedule[0].days.push(Weekday.SAT);
    expect(campaignDefaults().schedule[0].days).toHaveLength(5);
  });
});

describe('normalizeCampaignInput', () => {
  it('trims texts, blanks optional texts to null and fixes the zone case, leaving omitted fields out', () => {
    expect(
      normalizeCampaignInput({
        name: '  Support ',
        pageName: '  ',
        afterHoursMessage: ' Closed ',
        timezone: ' europe/madrid ',
        cannedResponses: [{ title: ' Hi ', text: ' Hello ' }],
      }),
    ).toEqual({
      name: 'Support',
      pageName: null,
      afterHoursMessage: 'Closed',
      timezone: 'Europe/Madrid',
      cannedResponses: [{ title: 'Hi', text: 'Hello' }],
    });
    expect(normalizeCampaignInput({})).toEqual({});
  });
});

describe('validateCampaignInput', () => {
  it('accepts a complete valid input, and a name alone on create', () => {
    expect(validateCampaignInput(valid)).toEqual([]);
    expect(validateCampaignInput({ name: 'x' })).toEqual([]);
  });

  it('requires the name on create but not on update', () => {
    expect(validateCampaignInput({})).toEqual([{ field: 'name', problem: 'is required' }]);
    expect(validateCampaignInput({}, { channel: Channel.MESSENGER })).toEqual([]);
    expect(fields({ name: null }, { channel: Channel.MESSENGER })).toEqual(['name']);
  });

  it.each([
    [{ name: '   ' }, 'name', 'must be 1 to 100 characters'],
    [{ name: 'x'.repeat(101) }, 'name', 'must be 1 to 100 characters'],
    [{ timezone: 'Mars/Base' }, 'timezone', '"Mars/Base" is not a known IANA time zone'],
    [
      { schedule: [{ days: [Weekday.MON], from: '25:00', to: '24:00' }] },
      'schedule[0].from',
      '"25:00" is not a time',
    ],
    [
      { schedule: [{ days: [Weekday.MON], from: '18:00', to: '09:00' }] },
      'schedule[0].to',
      'must be after from (18:00)',
    ],
    [{ maxInteractionsPerAgent: 0 }, 'maxInteractionsPerAgent', 'must be between 1 and 50'],
    [{ maxInteractionsPerAgent: 51 }, 'maxInteractionsPerAgent', 'must be between 1 and 50'],
    [{ serviceLevelTarget: -1 }, 'serviceLevelTarget', 'must be between 0 and 100'],
    [{ serviceLevelTarget: 101 }, 'serviceLevelTarget', 'must be between 0 and 100'],
    [{ afterHoursMessage: 'x'.repeat(2001) }, 'afterHoursMessage', 'must be at most 2000 characters'],
    [{ pageName: 'x'.repeat(201) }, 'pageName', 'must be at most 200 characters'],
    [
      { cannedResponses: [{ title: '', text: 'ok' }] },
      'cannedResponses[0].title',
      'must be 1 to 100 characters',
    ],
    [
      { cannedResponses: [{ title: 'ok', text: 'x'.repeat(2001) }] },
      'cannedResponses[0].text',
      'must be 1 to 2000',
    ],
    [{ strategy: 'FASTEST' as RoutingStrategy }, 'strategy', 'must be one of RINGALL'],
    [{ channel: 'SMS' as Channel }, 'channel', 'must be MESSENGER or VOICE'],
    [{ enabled: null }, 'enabled', 'cannot be null'],
    [{ announceQueuePosition: null }, 'announceQueuePosition', 'cannot be null'],
    [
      { announceQueuePosition: 'yes' as unknown as boolean },
      'announceQueuePosition',
      'must be true or false',
    ],
  ])('refuses %j naming %s', (input, field, problem) => {
    const problems = validateCampaignInput({ ...valid, ...input });
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe(field);
    expect(problems[0].problem).toContain(problem);
  });

  it('refuses negative thresholds, each by name', () => {
    const thresholds = {
      serviceLevelSeconds: -1,
      dropoutSeconds: 0,
      chatTimeSeconds: -5,
      acdMaxWaiting: 1.5,
    };
    expect(fields({ ...valid, thresholds })).toEqual([
      'thresholds.serviceLevelSeconds',
      'thresholds.chatTimeSeconds',
      'thresholds.acdMaxWaiting',
    ]);
  });

  it('accepts exactly the limits', () => {
    expect(
      validateCampaignInput({
        ...valid,
        name: 'x'.repeat(100),
        maxInteractionsPerAgent: 50,
        serviceLevelTarget: 0,
        afterHoursMessage: 'x'.repeat(2000),
        cannedResponses: Array.from({ length: 100 }, () => ({
          title: 't'.repeat(100),
          text: 'x'.repeat(2000),
        })),
      }),
    ).toEqual([]);
    expect(validateCampaignInput({ ...valid, maxInteractionsPerAgent: 1, serviceLevelTarget: 100 })).toEqual(
      [],
    );
  });

  it('refuses more than 100 canned responses as one problem', () => {
    const many = Array.from({ length: 101 }, () => ({ title: 't', text: 'x' }));
    expect(validateCampaignInput({ ...valid, cannedResponses: many })).toEqual([
      { field: 'cannedResponses', problem: 'must have at most 100 responses' },
    ]);
  });

  it('lets the channel be repeated but not changed on update', () => {
    expect(validateCampaignInput({ channel: Channel.VOICE }, { channel: Channel.VOICE })).toEqual([]);
    const problems = validateCampaignInput({ channel: Channel.VOICE }, { channel: Channel.MESSENGER });
    expect(problems).toEqual([
      { field: 'channel', problem: expect.stringMatching(/^cannot change once the campaign exists/) },
    ]);
  });

  it('lets optional texts be cleared with null', () => {
    expect(
      validateCampaignInput({ pageName: null, afterHoursMessage: null }, { channel: Channel.MESSENGER }),
    ).toEqual([]);
  });

  it('reports every problem at once', () => {
    expect(fields({ name: '', timezone: 'Nowhere', maxInteractionsPerAgent: 0 })).toEqual([
      'name',
      'timezone',
      'maxInteractionsPerAgent',
    ]);
  });
});

describe('validateCannedResponse', () => {
  it('names bare fields without a prefix', () => {
    expect(validateCannedResponse({ title: ' ', text: '' }).map((p) => p.field)).toEqual(['title', 'text']);
    expect(validateCannedResponse({ title: 'Hi', text: 'Hello' })).toEqual([]);
  });
});
