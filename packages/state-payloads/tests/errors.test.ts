import { describe, expect, it } from 'vitest';
import { PayloadValidationError, parseJsonText } from '../src/index.js';

describe('parseJsonText', () => {
  it('GIVEN JSON text WHEN parsed THEN it returns the value', () => {
    expect(parseJsonText('{"a":[1,"x",null]}', 'a payload')).toEqual({ a: [1, 'x', null] });
  });

  it('GIVEN text that is not JSON WHEN parsed THEN the error names the payload, quotes the text and says what was expected', () => {
    // Act
    const attempt = () => parseJsonText('{oops', 'UserParameters', '{"s3Bucket": "..."}');

    // Assess
    expect(attempt).toThrow(PayloadValidationError);
    expect(attempt).toThrow(
      'UserParameters is invalid: it is not JSON (got "{oops"); expected {"s3Bucket": "..."}',
    );
  });

  it('GIVEN a long text that is not JSON WHEN parsed THEN only its first 80 characters are quoted, and the parse error is the cause', () => {
    // Prepare
    const text = `x${'y'.repeat(200)}`;

    // Act
    let error: unknown;
    try {
      parseJsonText(text, 'continuation token');
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect((error as Error).message).toContain(`(got ${JSON.stringify(text.slice(0, 80))})`);
    expect((error as Error).message).not.toContain('expected');
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('GIVEN a key written twice (a second "policy" in an input file) THEN it is refused, naming the key and where', () => {
    // Prepare
    const text =
      '{"stackName": "app", "policy": {"version": 1}, "policy": {"version": 1, "allow": [{"actions": ["Remove"]}]}}';

    // Act
    const attempt = () => parseJsonText(text, 'the input file state_machine_input.json');

    // Assess
    expect(attempt).toThrow(PayloadValidationError);
    expect(attempt).toThrow('the key "policy" is written twice in the object at (top level)');
  });
});
