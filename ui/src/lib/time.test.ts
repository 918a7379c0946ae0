import { describe, expect, it } from 'vitest';
import { communityTime, dataAge } from './time';

describe('communityTime', () => {
  const inDec2026 = Date.parse('2026-12-03T10:00:00.000Z');
  it('shows UTC times in Dubai time (UTC+4) with the zone named', () => {
    expect(communityTime('2026-11-22T10:05:00.000Z', inDec2026)).toBe('22 Nov, 14:05 GST');
    expect(communityTime('2026-11-22T22:30:00.000Z', inDec2026)).toBe('23 Nov, 02:30 GST');
  });
  it('names the year when it is not this year in the community', () => {
    expect(communityTime('2027-03-31T10:05:00.000Z', inDec2026)).toBe('31 Mar 2027, 14:05 GST');
    // 31 Dec 2026 22:30 UTC is already 2027 in Dubai.
    expect(communityTime('2026-12-31T22:30:00.000Z', inDec2026)).toBe('1 Jan 2027, 02:30 GST');
  });
  it('leaves text that is not a time as it is', () => {
    expect(communityTime('never')).toBe('never');
  });
});

describe('dataAge', () => {
  const at = Date.parse('2026-12-03T10:00:00.000Z');
  const ago = (mins: number) => new Date(at - mins * 60000).toISOString();
  it('says how old the data is relative to now, amber past the threshold', () => {
    expect(dataAge(ago(1), at, 15)).toEqual({ text: 'Data current', stale: false });
    expect(dataAge(ago(15), at, 15)).toEqual({ text: 'Data 15 min old', stale: false });
    expect(dataAge(ago(42), at, 15)).toEqual({ text: 'Data 42 min old', stale: true });
    expect(dataAge(ago(185), at, 15)).toEqual({ text: 'Data 3 h 5 min old', stale: true });
    expect(dataAge(ago(120), at, 15).text).toBe('Data 2 h old');
    expect(dataAge(ago(3000), at, 15).text).toBe('Data 2 d old');
  });
  it('never says a time in the future is old, and flags what is not a time', () => {
    expect(dataAge(new Date(at + 60000).toISOString(), at, 15).text).toBe('Data current');
    expect(dataAge('never', at, 15)).toEqual({ text: 'Data age unknown', stale: true });
  });
});
