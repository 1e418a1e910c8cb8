import { describe, expect, it } from 'vitest';
import { errorNameOf, isRecord, recordOf } from '../src/index.js';

describe('isRecord / recordOf', () => {
  it('accepts an object whose fields can be read', () => {
    expect(isRecord({ a: 1 })).toBe(true);
    expect(recordOf({ a: 1 })).toEqual({ a: 1 });
  });

  it.each([null, undefined, [1, 2], 'text', 42, true])('refuses %j', (value) => {
    expect(isRecord(value)).toBe(false);
    expect(recordOf(value)).toBeUndefined();
  });
});

describe('errorNameOf', () => {
  it("reads an Error's name", () => {
    const error = new Error('boom');
    error.name = 'ThrottlingException';
    expect(errorNameOf(error)).toBe('ThrottlingException');
  });

  it('reads the name of an error-shaped object (an SDK exception that crossed a JSON boundary)', () => {
    expect(errorNameOf({ name: 'ValidationError', message: 'bad' })).toBe('ValidationError');
  });

  it.each([null, undefined, 'ValidationError', { name: 42 }])('has no name for %j', (value) => {
    expect(errorNameOf(value)).toBeUndefined();
  });
});
