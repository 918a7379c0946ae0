import { describe, expect, it } from 'vitest';
import { licenceWords, permitTypeLabel, plural, statusTone } from './format';

describe('format', () => {
  it('says licence expiry in words', () => {
    expect(licenceWords(null)).toBe('');
    expect(licenceWords(-1)).toBe('expired 1 day ago');
    expect(licenceWords(0)).toBe('expires today');
    expect(licenceWords(12)).toBe('expires in 12 days');
  });
  it('counts in words', () => {
    expect(plural(1, 'permit')).toBe('1 permit');
    expect(plural(1200, 'permit')).toBe('1,200 permits');
  });
  it('names permit types', () => {
    expect(permitTypeLabel('fitOut')).toBe('Fit-out');
    expect(permitTypeLabel('newKind')).toBe('newKind');
  });
  it('colours statuses by meaning', () => {
    expect(statusTone('ACCEPTED')).toBe('ok');
    expect(statusTone('REVOKED')).toBe('bad');
    expect(statusTone('SOMETHING_NEW')).toBe('');
  });
});
