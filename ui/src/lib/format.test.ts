import { describe, expect, it } from 'vitest';
import { licenceWords, permitTypeLabel, plural, statusTone, phoneWords } from './format';

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

describe('phoneWords', () => {
  it('reads UAE numbers in any stored form as a desk says them', () => {
    expect(phoneWords('+971551000052')).toBe('055 100 0052');
    expect(phoneWords('00971551000052')).toBe('055 100 0052');
    expect(phoneWords('0551000052')).toBe('055 100 0052');
    expect(phoneWords('+97142223333')).toBe('04 222 3333');
  });
  it('leaves other numbers as they were given', () => {
    expect(phoneWords('+44 20 7946 0958')).toBe('+44 20 7946 0958');
    expect(phoneWords('12345')).toBe('12345');
    expect(phoneWords('')).toBe('');
  });
});
