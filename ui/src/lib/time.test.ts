import { describe, expect, it } from 'vitest';
import { communityTime } from './time';

describe('communityTime', () => {
  it('shows UTC times in Dubai time (UTC+4) with the zone named', () => {
    expect(communityTime('2026-11-22T10:05:00.000Z')).toBe('22 Nov, 14:05 GST');
    expect(communityTime('2026-11-22T22:30:00.000Z')).toBe('23 Nov, 02:30 GST');
  });
  it('leaves text that is not a time as it is', () => {
    expect(communityTime('never')).toBe('never');
  });
});
