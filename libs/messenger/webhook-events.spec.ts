import { describe, expect, it } from 'vitest';
import { parseWebhook, parseWebhookBytes } from './webhook-events.js';

const PAGE = '1000000000000001';
const PSID = '3100000000000001';
const ends = (ts = 1458692752478) => ({ sender: { id: PSID }, recipient: { id: PAGE }, timestamp: ts });
const body = (...messaging: unknown[]) => ({
  object: 'page',
  entry: [{ id: PAGE, time: 1458692752478, messaging }],
});
const events = (b: unknown) => {
  const parsed = parseWebhook(b);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.entries.flatMap((e) => e.events);
};

describe('parseWebhook (Meta example bodies)', () => {
  it('reads a text message with reply_to', () => {
    expect(
      events(body({ ...ends(), message: { mid: 'm_1', text: 'hello, world!', reply_to: { mid: 'm_0' } } })),
    ).toEqual([
      {
        kind: 'message',
        pageId: PAGE,
        psid: PSID,
        timestamp: 1458692752478,
        mid: 'm_1',
        text: 'hello, world!',
        attachments: [],
        quickReplyPayload: null,
        replyToMid: 'm_0',
      },
    ]);
  });

  it('reads attachments and quick replies; attachments without a URL are skipped', () => {
    const [e] = events(
      body({
        ...ends(),
        message: {
          mid: 'm_2',
          quick_reply: { payload: 'YES' },
          text: 'Yes',
          attachments: [
            { type: 'image', payload: { url: 'https://cdn/x.png' } },
            { type: 'file', payload: { url: 'https://cdn/x.pdf' } },
            { type: 'fallback', title: 'A link', payload: { url: 'https://example.com' } },
            { type: 'location', payload: { coordinates: { lat: 1, long: 2 } } },
          ],
        },
      }),
    );
    expect(e).toMatchObject({
      kind: 'message',
      quickReplyPayload: 'YES',
      attachments: [
        { type: 'IMAGE', url: 'https://cdn/x.png' },
        { type: 'FILE', url: 'https://cdn/x.pdf' },
        { type: 'FILE', url: 'https://example.com', name: 'A link' },
      ],
    });
  });

  it('reads an echo: the customer is the recipient', () => {
    const [e] = events(
      body({
        sender: { id: PAGE },
        recipient: { id: PSID },
        timestamp: 5,
        message: { is_echo: true, app_id: 1517776481860111, metadata: 'abc', mid: 'm_3', text: 'hi' },
      }),
    );
    expect(e).toEqual({
      kind: 'echo',
      pageId: PAGE,
      psid: PSID,
      timestamp: 5,
      mid: 'm_3',
      text: 'hi',
      attachments: [],
      metadata: 'abc',
      appId: '1517776481860111',
    });
  });

  it('reads delivery, read, postback and reaction', () => {
    expect(
      events(
        body(
          { ...ends(1), delivery: { mids: ['m_a'], watermark: 1458668856253 } },
          { ...ends(2), delivery: { watermark: 9 } },
          { ...ends(3), read: { watermark: 1458668856253 } },
          { ...ends(4), postback: { mid: 'm_p', title: 'Get started', payload: 'START' } },
          { ...ends(5), reaction: { reaction: 'love', emoji: '❤', action: 'react', mid: 'm_1' } },
          { ...ends(6), reaction: { action: 'unreact', mid: 'm_1' } },
        ),
      ),
    ).toMatchObject([
      { kind: 'delivery', mids: ['m_a'], watermark: 1458668856253, timestamp: 1 },
      { kind: 'delivery', mids: [], watermark: 9 },
      { kind: 'read', watermark: 1458668856253 },
      { kind: 'postback', mid: 'm_p', title: 'Get started', payload: 'START' },
      { kind: 'reaction', mid: 'm_1', emoji: '❤', reaction: 'love', action: 'react' },
      { kind: 'reaction', mid: 'm_1', emoji: null, action: 'unreact' },
    ]);
  });

  it('keeps unknown kinds as unknown, never throwing', () => {
    const optin = { ...ends(7), optin: { ref: 'x' } };
    expect(events(body(optin, { garbage: true }))).toMatchObject([
      { kind: 'unknown', psid: PSID, timestamp: 7, raw: optin },
      { kind: 'unknown', psid: '', timestamp: 0 },
    ]);
  });

  it('handles every entry of a batch, and entries without messaging', () => {
    const parsed = parseWebhook({
      object: 'page',
      entry: [
        { id: PAGE, time: 1, messaging: [{ ...ends(1), read: { watermark: 1 } }] },
        { id: 1000000000000002, time: 2, messaging: [{ ...ends(2), read: { watermark: 2 } }] },
        { id: PAGE, time: 3, standby: [{}] },
      ],
    });
    expect(parsed).toMatchObject({
      ok: true,
      entries: [
        { pageId: PAGE, events: [{ kind: 'read' }] },
        { pageId: '1000000000000002', events: [{ kind: 'read', pageId: '1000000000000002' }] },
        { pageId: PAGE, events: [] },
      ],
    });
  });

  it('refuses what is not a page delivery, and bytes that are not JSON', () => {
    expect(parseWebhook({ object: 'instagram', entry: [] }).ok).toBe(false);
    expect(parseWebhookBytes(Buffer.from('{nope')).ok).toBe(false);
    expect(
      parseWebhookBytes(Buffer.from(JSON.stringify(body({ ...ends(), read: { watermark: 1 } })))).ok,
    ).toBe(true);
  });
});
