import { describe, expect, it } from 'vitest';
import { inField, singleKey, type Keyed } from './keys';

const none = { querySelector: () => null };
const dialog = { querySelector: () => ({}) as Element };
const div = { tagName: 'DIV' } as unknown as EventTarget;
const input = { tagName: 'INPUT' } as unknown as EventTarget;

function key(init: Partial<Keyed>, target: EventTarget | null = div): Keyed {
  return { key: 'r', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, repeat: false, ...init, target };
}

describe('singleKey', () => {
  it('takes a bare key outside fields, never one typed into a field or with a modifier', () => {
    expect(singleKey(key({}), none)).toBe(true);
    expect(singleKey(key({ key: 'Delete', shiftKey: true }), none)).toBe(true);
    expect(singleKey(key({ ctrlKey: true }), none)).toBe(false);
    expect(singleKey(key({ metaKey: true }), none)).toBe(false);
    expect(singleKey(key({ repeat: true }), none)).toBe(false);
    expect(singleKey(key({}, input), none)).toBe(false);
    expect(inField(key({}, { tagName: 'TEXTAREA' } as unknown as EventTarget))).toBe(true);
    expect(inField(key({}, { tagName: 'DIV', isContentEditable: true } as unknown as EventTarget))).toBe(true);
    expect(inField(key({}, null))).toBe(false);
  });
  it('gives way to an open dialog', () => {
    expect(singleKey(key({}), dialog)).toBe(false);
  });
});
