import { describe, expect, it } from 'vitest';
import { abandonAt, InteractionStatus, isAbandoned, queueOrder } from './queue.js';

const at = (iso: string) => new Date(iso);
const T0 = '2025-06-03T12:00:00.000Z';
const plus = (seconds: number) => new Date(at(T0).getTime() + seconds * 1000);

describe('queueOrder', () => {
  it('is first in, first out by queuedAt, then id for equal instants', () => {
    const queue = [
      { id: 'c', queuedAt: plus(30) },
      { id: 'b', queuedAt: plus(10) },
      { id: 'a', queuedAt: plus(30) },
      { id: 'd', queuedAt: plus(0) },
    ];
    expect(queueOrder(queue).map((i) => i.id)).toEqual(['d', 'b', 'a', 'c']);
    expect(queue.map((i) => i.id)).toEqual(['c', 'b', 'a', 'd']);
  });

  it('puts a revoked offer back at the head: it keeps its original queuedAt', () => {
    // x was the head when offered at +60; y and z queued while the offer stood, then it timed out.
    const queue = [
      { id: 'y', queuedAt: plus(70) },
      { id: 'z', queuedAt: plus(80) },
      { id: 'x', queuedAt: plus(5), requeuedAt: plus(90) },
    ];
    expect(queueOrder(queue).map((i) => i.id)).toEqual(['x', 'y', 'z']);
  });

  it('lets an abandoned interaction re-queued by a new message keep its place', () => {
    const queue = [
      { id: 'later', queuedAt: plus(400) },
      { id: 'back', queuedAt: plus(0), requeuedAt: plus(500) },
      { id: 'latest', queuedAt: plus(450) },
    ];
    expect(queueOrder(queue).map((i) => i.id)).toEqual(['back', 'later', 'latest']);
  });

  it('keeps the other fields of each interaction', () => {
    const [only] = queueOrder([{ id: 'a', queuedAt: plus(0), psid: '123' }]);
    expect(only.psid).toBe('123');
  });
});

describe('isAbandoned', () => {
  const queued = { status: InteractionStatus.QUEUED, queuedAt: at(T0), lastCustomerMessageAt: null };

  it('turns true exactly dropoutSeconds after queuedAt', () => {
    expect(isAbandoned(queued, 300, plus(299.999))).toBe(false);
    expect(isAbandoned(queued, 300, plus(300))).toBe(true);
    expect(isAbandoned(queued, 300, plus(3600))).toBe(true);
    expect(abandonAt(queued, 300)).toEqual(plus(300));
  });

  it('counts from the customer’s last message when they wrote since queuing', () => {
    const wrote = { ...queued, lastCustomerMessageAt: plus(200) };
    expect(isAbandoned(wrote, 300, plus(400))).toBe(false);
    expect(isAbandoned(wrote, 300, plus(500))).toBe(true);
    expect(abandonAt(wrote, 300)).toEqual(plus(500));
  });

  it('counts from the campaign’s opening when the customer wrote while it was closed', () => {
    const overnight = { ...queued, openedAt: plus(8 * 3600) };
    expect(isAbandoned(overnight, 300, plus(8 * 3600 + 299))).toBe(false);
    expect(isAbandoned(overnight, 300, plus(8 * 3600 + 300))).toBe(true);
    expect(abandonAt({ ...queued, openedAt: plus(-60) }, 300)).toEqual(plus(300));
  });

  it('ignores a last message from before the interaction was queued', () => {
    const earlier = { ...queued, lastCustomerMessageAt: plus(-100) };
    expect(isAbandoned(earlier, 300, plus(300))).toBe(true);
  });

  it.each([
    InteractionStatus.OFFERED,
    InteractionStatus.ACTIVE,
    InteractionStatus.CLOSED,
    InteractionStatus.ABANDONED,
  ])('never abandons an interaction that is %s', (status) => {
    expect(isAbandoned({ ...queued, status }, 300, plus(10_000))).toBe(false);
    expect(abandonAt({ ...queued, status }, 300)).toBeNull();
  });

  it('abandons at once with a threshold of 0', () => {
    expect(isAbandoned(queued, 0, at(T0))).toBe(true);
  });
});
