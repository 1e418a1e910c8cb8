import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { changesFromTemplates, parseTemplate, type TemplateChange } from '@cfn-safe-deploy/changeset-policy';
import { DEFAULT_CHANGE_SET_PAGE_SIZE, FAKE_CREDENTIALS, REGION } from './constants.js';
import { withGeneratedNames } from './generated-names.js';
import { type LocalServer, listen, readBody } from './http.js';
import { elementText, queryError, toXml } from './xml.js';

/**
 * The CloudFormation front: an HTTP server between the bundles and moto. Every request passes
 * through to moto unchanged, except:
 * - CreateChangeSet: the stack's template before the change and the change set's template are
 *   recorded (moto's GetTemplate ignores ChangeSetName, so they cannot be read back later);
 * - DescribeChangeSet: `Changes` are computed from those two templates with
 *   @aws-cdk/cloudformation-diff (Replacement, Scope, Details, PolicyAction, PhysicalResourceId),
 *   and paged at `pageSize` with a NextToken, in moto's own XML.
 */
export interface CloudFormationFront extends LocalServer {
  /** Points the front at another moto (the servers outlive one emulator when a process runs several). */
  setUpstream(endpoint: string): void;
  readonly pageSize: number;
}

export interface CloudFormationFrontOptions {
  readonly upstream: string;
  /** @default DEFAULT_CHANGE_SET_PAGE_SIZE (2) */
  readonly pageSize?: number;
  /** Where problems of the front itself are written (never the user's terminal). */
  readonly log?: (message: string) => void;
}

interface ChangeSetRecord {
  readonly changes?: TemplateChange[];
  /** Why the changes could not be computed: moto's own list is then returned, marked conditional. */
  readonly problem?: string;
}

const EMPTY_TEMPLATE = { Resources: {} };
const NEXT_TOKEN_PREFIX = 'sdfront1.';

function encodeNextToken(changeSetId: string, offset: number): string {
  return NEXT_TOKEN_PREFIX + Buffer.from(JSON.stringify({ c: changeSetId, o: offset })).toString('base64url');
}

function decodeNextToken(token: string): { c: string; o: number } | undefined {
  if (!token.startsWith(NEXT_TOKEN_PREFIX)) return undefined;
  try {
    const value = JSON.parse(
      Buffer.from(token.slice(NEXT_TOKEN_PREFIX.length), 'base64url').toString('utf8'),
    ) as {
      c?: unknown;
      o?: unknown;
    };
    if (
      typeof value.c === 'string' &&
      typeof value.o === 'number' &&
      Number.isInteger(value.o) &&
      value.o >= 0
    ) {
      return { c: value.c, o: value.o };
    }
  } catch {
    // not ours
  }
  return undefined;
}

interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

function withoutHopByHop(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  const {
    connection: _c,
    'keep-alive': _k,
    expect: _e,
    'transfer-encoding': _t,
    'content-length': _l,
    ...rest
  } = headers;
  return rest;
}

function send(
  upstream: string,
  method: string,
  path: string,
  headers: IncomingMessage['headers'],
  body: Buffer | undefined,
): Promise<UpstreamAnswer> {
  const target = new URL(path, upstream);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname: '127.0.0.1',
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers: {
          ...withoutHopByHop(headers),
          host: target.host,
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () =>
          resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
        );
        answer.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function reply(
  response: ServerResponse,
  status: number,
  headers: IncomingMessage['headers'],
  body: Buffer | string,
): void {
  const {
    'content-length': _length,
    'transfer-encoding': _encoding,
    connection: _connection,
    ...rest
  } = headers;
  const buffer = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(status, { ...rest, 'content-length': String(buffer.length) });
  response.end(buffer);
}

function xmlReply(response: ServerResponse, status: number, xml: string): void {
  reply(response, status, { 'content-type': 'text/xml' }, xml);
}

/** The parts of moto's Changes list, for the fallback when the templates are unknown. */
function motoChanges(xml: string): TemplateChange[] {
  const section = /<Changes>([\s\S]*)<\/Changes>/.exec(xml)?.[1] ?? '';
  return [...section.matchAll(/<ResourceChange>([\s\S]*?)<\/ResourceChange>/g)].map((match) => {
    const part = match[1] ?? '';
    const action = elementText(part, 'Action');
    return {
      Type: 'Resource',
      ResourceChange: {
        Action: action as NonNullable<TemplateChange['ResourceChange']>['Action'],
        LogicalResourceId: elementText(part, 'LogicalResourceId'),
        ResourceType: elementText(part, 'ResourceType'),
        // Fail closed: without the templates the emulator cannot tell whether this replaces the resource.
        ...(action === 'Modify' ? { Replacement: 'Conditional' as const } : {}),
        Scope: [],
        Details: [],
      },
    };
  });
}

/** The change set's template, from the CreateChangeSet request itself (body, URL in moto's S3, or the previous one). */
async function requestedTemplate(
  params: URLSearchParams,
  upstream: string,
  previous: () => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const body = params.get('TemplateBody');
  if (body !== null) return parseTemplate(body, 'the change set template');
  const url = params.get('TemplateURL');
  if (url !== null) {
    const parsed = new URL(url);
    // Path-style (http://localhost:PORT/bucket/key) or virtual-hosted (https://bucket.s3….amazonaws.com/key).
    const virtualHost = /^([^.]+)\.s3[.-]/.exec(parsed.hostname)?.[1];
    const path = virtualHost ? `/${virtualHost}${parsed.pathname}` : parsed.pathname;
    const answer = await send(upstream, 'GET', path, { authorization: s3Authorization() }, undefined);
    if (answer.status !== 200)
      throw new Error(
        `the template at ${url} could not be read from the emulator's S3 (HTTP ${answer.status})`,
      );
    return parseTemplate(answer.body.toString('utf8'), url);
  }
  if (params.get('UsePreviousTemplate') === 'true') return previous();
  throw new Error('CreateChangeSet named no template (TemplateBody, TemplateURL or UsePreviousTemplate)');
}

function s3Authorization(): string {
  return `AWS4-HMAC-SHA256 Credential=${FAKE_CREDENTIALS.accessKeyId}/20200101/${REGION}/s3/aws4_request, SignedHeaders=host, Signature=0`;
}

export async function startCloudFormationFront(
  options: CloudFormationFrontOptions,
): Promise<CloudFormationFront> {
  let upstream = options.upstream;
  const pageSize = options.pageSize ?? DEFAULT_CHANGE_SET_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new Error(`the DescribeChangeSet page size must be a whole number ≥ 1 (got ${pageSize})`);
  }
  const log = options.log ?? (() => undefined);
  const records = new Map<string, ChangeSetRecord>();
  let client: CloudFormationClient | undefined;
  const moto = (): CloudFormationClient => {
    client ??= new CloudFormationClient({
      endpoint: upstream,
      region: REGION,
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 1,
    });
    return client;
  };

  /** The stack's current template and physical ids, or an empty template when it has none yet. */
  async function currentStack(stackName: string | null): Promise<{
    template: Record<string, unknown>;
    physicalIds: Map<string, string>;
  }> {
    const physicalIds = new Map<string, string>();
    if (!stackName) return { template: EMPTY_TEMPLATE, physicalIds };
    let stackId: string | undefined;
    try {
      const stacks = await moto().send(new DescribeStacksCommand({ StackName: stackName }));
      const stack = stacks.Stacks?.[0];
      if (stack === undefined || stack.StackStatus === 'REVIEW_IN_PROGRESS')
        return { template: EMPTY_TEMPLATE, physicalIds };
      stackId = stack.StackId;
    } catch {
      return { template: EMPTY_TEMPLATE, physicalIds };
    }
    const body = (await moto().send(new GetTemplateCommand({ StackName: stackId }))).TemplateBody ?? '';
    const resources = await moto().send(new DescribeStackResourcesCommand({ StackName: stackId }));
    for (const resource of resources.StackResources ?? []) {
      if (resource.LogicalResourceId && resource.PhysicalResourceId) {
        physicalIds.set(resource.LogicalResourceId, resource.PhysicalResourceId);
      }
    }
    return { template: await parseTemplate(body, `the template of stack ${stackName}`), physicalIds };
  }

  async function createChangeSet(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    params: URLSearchParams,
  ): Promise<void> {
    let before: Awaited<ReturnType<typeof currentStack>> | undefined;
    let problem: string | undefined;
    try {
      before = await currentStack(params.get('ChangeSetType') === 'CREATE' ? null : params.get('StackName'));
    } catch (error) {
      problem = `the stack's current template could not be read: ${(error as Error).message}`;
    }
    const answer = await send(upstream, request.method ?? 'POST', request.url ?? '/', request.headers, body);
    const changeSetId = answer.status === 200 ? elementText(answer.body.toString('utf8'), 'Id') : undefined;
    // The changes are recorded before the answer goes back, so that no DescribeChangeSet can come first.
    if (changeSetId !== undefined) await record(changeSetId, params, before, problem);
    reply(response, answer.status, answer.headers, answer.body);
  }

  async function record(
    changeSetId: string,
    params: URLSearchParams,
    before: Awaited<ReturnType<typeof currentStack>> | undefined,
    problem: string | undefined,
  ): Promise<void> {
    try {
      if (before === undefined) throw new Error(problem);
      const oldTemplate = before.template;
      const newTemplate = await requestedTemplate(params, upstream, async () => oldTemplate);
      const changes = (await changesFromTemplates(oldTemplate, newTemplate)).map((change) => {
        const resourceChange = change.ResourceChange;
        const physicalId = resourceChange?.LogicalResourceId
          ? before?.physicalIds.get(resourceChange.LogicalResourceId)
          : undefined;
        if (resourceChange === undefined || physicalId === undefined || resourceChange.Action === 'Add')
          return change;
        return { ...change, ResourceChange: { ...resourceChange, PhysicalResourceId: physicalId } };
      });
      records.set(changeSetId, { changes });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log(`CloudFormation front: the changes of ${changeSetId} could not be computed: ${reason}`);
      records.set(changeSetId, { problem: reason });
    }
  }

  async function describeChangeSet(
    request: IncomingMessage,
    response: ServerResponse,
    params: URLSearchParams,
  ): Promise<void> {
    const token = params.get('NextToken');
    params.delete('NextToken');
    const forwarded = Buffer.from(params.toString());
    const answer = await send(
      upstream,
      request.method ?? 'POST',
      request.url ?? '/',
      request.headers,
      forwarded,
    );
    const xml = answer.body.toString('utf8');
    if (answer.status !== 200) {
      reply(response, answer.status, answer.headers, answer.body);
      return;
    }
    const changeSetId = elementText(xml, 'ChangeSetId') ?? '';
    let offset = 0;
    if (token !== null) {
      const decoded = decodeNextToken(token);
      if (decoded === undefined || decoded.c !== changeSetId) {
        xmlReply(
          response,
          400,
          queryError(
            'ValidationError',
            `NextToken ${token.slice(0, 60)} is not a token of change set ${changeSetId}`,
          ),
        );
        return;
      }
      offset = decoded.o;
    }
    const status = elementText(xml, 'Status');
    const record = records.get(changeSetId);
    // moto lists changes for a no-change change set it marks FAILED; AWS lists none.
    const all = status === 'FAILED' ? [] : (record?.changes ?? motoChanges(xml));
    if (record === undefined && status !== 'FAILED') {
      log(
        `CloudFormation front: change set ${changeSetId} was not created through the front; its changes are moto's, marked conditional`,
      );
    }
    const page = all.slice(offset, offset + pageSize);
    const next = offset + pageSize < all.length ? encodeNextToken(changeSetId, offset + pageSize) : undefined;
    const changesXml = page.length === 0 ? '<Changes/>' : `<Changes>${toXml(page)}</Changes>`;
    let rewritten = /<Changes>[\s\S]*<\/Changes>|<Changes\/>/.test(xml)
      ? xml.replace(/<Changes>[\s\S]*<\/Changes>|<Changes\/>/, changesXml)
      : xml.replace('</DescribeChangeSetResult>', `${changesXml}</DescribeChangeSetResult>`);
    if (next !== undefined) {
      rewritten = rewritten.replace(
        '</DescribeChangeSetResult>',
        `<NextToken>${next}</NextToken></DescribeChangeSetResult>`,
      );
    }
    reply(response, 200, answer.headers, rewritten);
  }

  /**
   * moto cannot create some resources without the name AWS would generate (see generated-names.ts):
   * the request's TemplateBody gets those names, and the change set is recorded from that same
   * template, so the diff never sees them. Returns the new request body, or undefined when unchanged.
   */
  async function nameUnnamedResources(params: URLSearchParams): Promise<Buffer | undefined> {
    const templateBody = params.get('TemplateBody');
    const stackName = params.get('StackName');
    if (templateBody === null || stackName === null) return undefined;
    const named = await withGeneratedNames(templateBody, stackName.split('/')[1] ?? stackName);
    if (named === undefined) return undefined;
    params.set('TemplateBody', named);
    return Buffer.from(params.toString());
  }

  async function forwardCreate(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    params: URLSearchParams,
    action: string,
  ): Promise<void> {
    if (action === 'CreateChangeSet') return createChangeSet(request, response, body, params);
    const answer = await send(upstream, request.method ?? 'POST', request.url ?? '/', request.headers, body);
    reply(response, answer.status, answer.headers, answer.body);
  }

  // Load the template diff now rather than inside the first change set's answer.
  void changesFromTemplates(EMPTY_TEMPLATE, EMPTY_TEMPLATE).catch(() => undefined);
  const server = await listen(
    async (request, response) => {
      const body = await readBody(request);
      const method = request.method ?? 'GET';
      const contentType = request.headers['content-type'] ?? '';
      if (method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
        const params = new URLSearchParams(body.toString('utf8'));
        const action = params.get('Action');
        if (action === 'CreateStack' || action === 'CreateChangeSet') {
          const named = await nameUnnamedResources(params);
          if (named !== undefined) return forwardCreate(request, response, named, params, action);
        }
        if (action === 'CreateChangeSet') return createChangeSet(request, response, body, params);
        if (action === 'DescribeChangeSet') return describeChangeSet(request, response, params);
      }
      const answer = await send(
        upstream,
        method,
        request.url ?? '/',
        request.headers,
        method === 'GET' || method === 'HEAD' ? undefined : body,
      );
      reply(response, answer.status, answer.headers, answer.body);
    },
    (error) => log(`CloudFormation front: ${error instanceof Error ? error.message : String(error)}`),
  );
  return {
    ...server,
    pageSize,
    setUpstream(endpoint: string) {
      upstream = endpoint;
      client = undefined;
      records.clear();
    },
  };
}
