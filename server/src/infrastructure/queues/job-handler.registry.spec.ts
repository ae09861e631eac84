import { describe, expect, it } from 'vitest';
import { checkJobHandlers } from './job-handler.registry.js';

describe('checkJobHandlers', () => {
  const jobs = ['a', 'b'];

  it('accepts exactly one handler per job', () => {
    expect(
      checkJobHandlers(
        [
          { job: 'a', where: 'A.run' },
          { job: 'b', where: 'B.run' },
        ],
        jobs,
      ),
    ).toEqual([]);
  });

  it('names jobs with no handler, two handlers, or an unknown name', () => {
    expect(
      checkJobHandlers(
        [
          { job: 'a', where: 'A.run' },
          { job: 'a', where: 'Other.run' },
          { job: 'c', where: 'C.run' },
        ],
        jobs,
      ),
    ).toEqual([
      'job "a" has 2 handlers: A.run, Other.run',
      'job "b" has no handler',
      'C.run handles unknown job "c"',
    ]);
  });
});
