import { describe, expect, it } from 'vitest';
import { NESTED_DIGESTS_KEY, NestedStackError, parseTemplateUrl, userView } from '../src/nested-stacks.js';

describe('parseTemplateUrl: the TemplateURL forms AWS accepts for a nested stack', () => {
  it.each([
    ['https://my-bucket.s3.amazonaws.com/child.yaml', 'my-bucket', 'child.yaml'],
    ['https://my-bucket.s3.eu-west-3.amazonaws.com/nested/child.yaml', 'my-bucket', 'nested/child.yaml'],
    ['https://s3.amazonaws.com/my-bucket/nested/child.json', 'my-bucket', 'nested/child.json'],
    ['https://s3.us-gov-west-1.amazonaws.com/my-bucket/child.json', 'my-bucket', 'child.json'],
    ['https://my.dotted.bucket.s3.amazonaws.com/child.json', 'my.dotted.bucket', 'child.json'],
    ['https://s3bucket.s3.amazonaws.com/a%20b/child.json', 's3bucket', 'a b/child.json'],
  ])('GIVEN %s THEN bucket %s and key %s', (url, bucket, key) => {
    // Act
    const location = parseTemplateUrl(url);
    // Assess
    expect(location).toEqual({ bucket, key });
  });

  it.each([
    ['not a url', 'is not a URL'],
    ['http://my-bucket.s3.amazonaws.com/child.yaml', 'uses http, not https'],
    ['https://my-bucket.s3.amazonaws.com:8443/child.yaml', 'names a port or credentials'],
    ['https://example.com/my-bucket/child.yaml', 'has host example.com'],
    [
      'https://my-bucket.s3-eu-west-3.amazonaws.com/child.yaml',
      'has host my-bucket.s3-eu-west-3.amazonaws.com',
    ],
    ['https://s3.amazonaws.com/my-bucket', 'names no key'],
    ['https://s3.amazonaws.com/My_Bucket/child.yaml', 'names bucket "My_Bucket"'],
    ['https://my-bucket.s3.amazonaws.com/', 'names no key'],
  ])('GIVEN %s THEN a ValidationError naming the URL says it %s', (url, why) => {
    // Act
    const attempt = () => parseTemplateUrl(url);
    // Assess
    expect(attempt).toThrow(NestedStackError);
    expect(attempt).toThrow(JSON.stringify(url));
    expect(attempt).toThrow(why);
    expect(attempt).toThrow('expected https://BUCKET.s3.amazonaws.com/KEY');
  });
});

describe('userView: the template moto stores, as the user wrote it', () => {
  it('GIVEN a stored template with digests THEN each nested stack gets its own properties back and the digests go', () => {
    // Arrange
    const stored = {
      Metadata: {
        Owner: 'team',
        [NESTED_DIGESTS_KEY]: {
          Child: { digest: 'abc', properties: { TemplateURL: 'https://s3.amazonaws.com/b/v2.json' } },
        },
      },
      Resources: {
        Child: {
          Type: 'AWS::CloudFormation::Stack',
          Properties: { TemplateURL: 'https://s3.amazonaws.com/b/v1.json' },
        },
      },
    };
    // Act
    const view = userView({ template: stored, physicalIds: new Map() });
    // Assess
    expect(view.template).toEqual({
      Metadata: { Owner: 'team' },
      Resources: {
        Child: {
          Type: 'AWS::CloudFormation::Stack',
          Properties: { TemplateURL: 'https://s3.amazonaws.com/b/v2.json' },
        },
      },
    });
    expect(stored.Resources.Child.Properties.TemplateURL).toBe('https://s3.amazonaws.com/b/v1.json');
  });
});
