import { describe, expect, it } from 'vitest';
import { toIpcError } from './ipc';

describe('toIpcError', () => {
  it('keeps a {code, message} from Rust, dropping anything else', () => {
    expect(toIpcError({ code: 'not_found', message: 'No such permit.', extra: 1 })).toEqual({
      code: 'not_found',
      message: 'No such permit.',
    });
  });

  it('keeps the engineer\'s detail when Rust sends one, and only a string one', () => {
    expect(toIpcError({ code: 'unreachable', message: 'Buzz-In cannot be reached.', detail: 'connection refused' })).toEqual({
      code: 'unreachable',
      message: 'Buzz-In cannot be reached.',
      detail: 'connection refused',
    });
    expect(toIpcError({ code: 'storage', message: 'x', detail: 7 })).toEqual({ code: 'storage', message: 'x' });
  });

  it('turns a bare string (e.g. a denied permission) into an internal error with that text', () => {
    expect(toIpcError('app_info not allowed')).toEqual({
      code: 'internal',
      message: 'app_info not allowed',
    });
  });

  it('keeps the message of a thrown Error', () => {
    expect(toIpcError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
  });

  it('never returns an empty message', () => {
    for (const raw of [undefined, null, 42, '', { code: 1 }, { message: 'x' }]) {
      const err = toIpcError(raw);
      expect(err.code).toBe('internal');
      expect(err.message.length).toBeGreaterThan(0);
    }
  });
});
