import { describe, expect, it } from 'vitest';
import { motoChanges } from '../src/change-set-changes.js';
import { decodeNextToken, encodeNextToken, pageOf, withPage } from '../src/change-set-pages.js';
import { buildXml, escapeXml, parseXml, queryError, toQueryValue, xmlText } from '../src/xml.js';

const RESULT = ['DescribeChangeSetResponse', 'DescribeChangeSetResult'] as const;

const motoAnswer = `<DescribeChangeSetResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeChangeSetResult>
    <ChangeSetId>arn:aws:cloudformation:us-east-1:123456789012:changeSet/cs/1</ChangeSetId>
    <Status>CREATE_COMPLETE</Status>
    <Changes>
      <member><Type>Resource</Type><ResourceChange><Action>Modify</Action><LogicalResourceId>Queue</LogicalResourceId><ResourceType>AWS::SQS::Queue</ResourceType></ResourceChange></member>
      <member><Type>Resource</Type><ResourceChange><Action>Add</Action><LogicalResourceId>Topic</LogicalResourceId><ResourceType>AWS::SNS::Topic</ResourceType></ResourceChange></member>
    </Changes>
    <StatusReason>a &lt;reason&gt; &amp; "more"</StatusReason>
  </DescribeChangeSetResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</DescribeChangeSetResponse>`;

describe('query-protocol XML', () => {
  it('reads text with its entities decoded', async () => {
    const document = await parseXml(motoAnswer);
    expect(xmlText(document, [...RESULT, 'Status'])).toBe('CREATE_COMPLETE');
    expect(xmlText(document, [...RESULT, 'StatusReason'])).toBe('a <reason> & "more"');
    expect(xmlText(document, [...RESULT, 'Missing'])).toBeUndefined();
  });

  it("reads moto's changes, every Modify marked conditional (fail closed)", async () => {
    const changes = motoChanges(await parseXml(motoAnswer), RESULT);
    expect(changes.map((change) => change.ResourceChange)).toEqual([
      expect.objectContaining({ Action: 'Modify', LogicalResourceId: 'Queue', Replacement: 'Conditional' }),
      expect.not.objectContaining({ Replacement: expect.anything() }),
    ]);
  });

  it('writes SDK-shaped values as member lists, leaving out undefined fields, escaping text', async () => {
    const xml = buildXml({
      Root: toQueryValue({ List: [{ A: 'x<y', B: undefined }, { A: 2 }], Empty: [], Flag: true }),
    });
    expect(xml).toBe(
      '<Root><List><member><A>x&lt;y</A></member><member><A>2</A></member></List><Empty/><Flag>true</Flag></Root>',
    );
    expect(xmlText(await parseXml(xml), ['Root', 'List', 'member'])).toBeUndefined();
  });

  it('replaces the changes and sets the NextToken, keeping the rest of the answer', async () => {
    const document = await parseXml(motoAnswer);
    const rewritten = await parseXml(
      buildXml(
        withPage(document, RESULT, [{ Type: 'Resource', ResourceChange: { Action: 'Remove' } }], 'next'),
      ),
    );
    expect(xmlText(rewritten, [...RESULT, 'NextToken'])).toBe('next');
    expect(xmlText(rewritten, [...RESULT, 'Changes', 'member', 'ResourceChange', 'Action'])).toBe('Remove');
    expect(xmlText(rewritten, [...RESULT, 'StatusReason'])).toBe('a <reason> & "more"');
    expect(xmlText(rewritten, ['DescribeChangeSetResponse', 'ResponseMetadata', 'RequestId'])).toBe('r-1');
    // the original document is left as it was
    expect(xmlText(document, [...RESULT, 'NextToken'])).toBeUndefined();
  });

  it('writes an error as CloudFormation does', async () => {
    const error = await parseXml(queryError('ValidationError', 'Stack "a&b" does not exist'));
    expect(xmlText(error, ['ErrorResponse', 'Error', 'Code'])).toBe('ValidationError');
    expect(xmlText(error, ['ErrorResponse', 'Error', 'Message'])).toBe('Stack "a&b" does not exist');
    expect(xmlText(error, ['ErrorResponse', 'Error', 'Type'])).toBe('Sender');
  });

  it('escapes the five XML characters once each', () => {
    expect(escapeXml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;',
    );
  });

  it('refuses text that is not XML', async () => {
    await expect(parseXml('not xml at all')).rejects.toThrow();
  });
});

describe('DescribeChangeSet pages', () => {
  const changes = ['A', 'B', 'C'].map((id) => ({
    Type: 'Resource' as const,
    ResourceChange: { LogicalResourceId: id },
  }));

  it('pages at the given size, the last page without a token', () => {
    const first = pageOf(changes, 'cs-1', 0, 2);
    expect(first.page.map((change) => change.ResourceChange?.LogicalResourceId)).toEqual(['A', 'B']);
    expect(decodeNextToken(first.nextToken ?? '')).toEqual({ changeSetId: 'cs-1', offset: 2 });
    const last = pageOf(changes, 'cs-1', 2, 2);
    expect(last.page.map((change) => change.ResourceChange?.LogicalResourceId)).toEqual(['C']);
    expect(last.nextToken).toBeUndefined();
  });

  it.each([
    ['a token of someone else', 'abc'],
    [
      'a negative offset',
      encodeNextToken('cs-1', 2).replace(
        /\..*/,
        `.${Buffer.from('{"c":"cs-1","o":-1}').toString('base64url')}`,
      ),
    ],
    ['not JSON', 'sdfront1.bm90IGpzb24'],
  ])('refuses %s', (_, token) => {
    expect(decodeNextToken(token)).toBeUndefined();
  });
});
