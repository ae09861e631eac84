import { describe, expect, it } from 'vitest';
import { withoutPassword } from './reachability.js';

describe('withoutPassword', () => {
  it('drops the password and keeps the rest of the address', () => {
    expect(withoutPassword('redis://:s3cret@redis.internal:6380/2')).toBe('redis://redis.internal:6380/2');
    expect(withoutPassword('mysql://parley:s3cret@db:3306/parley')).toBe('mysql://parley@db:3306/parley');
    expect(withoutPassword('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
