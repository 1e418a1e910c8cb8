import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  changesFromTemplates,
  isRecord,
  parseTemplate,
  type TemplateChange,
} from '@cfn-safe-deploy/changeset-policy';
import {
  type ChangeSetRecord,
  changesOfRequest,
  EMPTY_TEMPLATE,
  motoChanges,
  requestTemplateText,
  type StackSnapshot,
  stackSnapshot,
} from './change-set-changes.js';
import { decodeNextToken, pageOf, withPage } from './change-set-pages.js';
import { ACCOUNT, DEFAULT_CHANGE_SET_PAGE_SIZE, FAKE_CREDENTIALS, REGION } from './constants.js';
import { OBSERVER_HEADER } from './fault-injection.js';
import { withGeneratedNames } from './generated-names.js';
import { type LocalServer, listen, readBody } from './http.js';
import {
  forwardedBody,
  NestedChangeSets,
  NestedStackError,
  NestedTemplateError,
  planRequest,
  requestParameters,
  userView,
} from './nested-stacks.js';
import { type Clock, fileStore, StackOperations } from './stack-operations.js';
import { OperationsFront } from './stack-operations-front.js';
import { type TemplateProblem, templateProblem } from './template-checks.js';
import { failedRule, resolveParameters } from './template-rules.js';
import { forwardCloudFormation, forwardRequest, reply, replyWith, sendUpstream } from './upstream.js';
import { buildXml, parseXml, queryError, xmlElement, xmlText } from './xml.js';

/**
 * The CloudFormation front: an HTTP server between the bundles and moto. Every request passes
 * through to moto unchanged (upstream.ts), except:
 * - CreateStack / CreateChangeSet: resources moto cannot create unnamed get the name AWS would
 *   generate (generated-names.ts);
 * - CreateChangeSet: the changes are computed from the stack's template before the change and the
 *   change set's template (change-set-changes.ts), since moto's GetTemplate ignores ChangeSetName
 *   and its changes lack Replacement, Scope and Details;
 * - DescribeChangeSet: those changes replace moto's, paged at `pageSize` with a NextToken
 *   (change-set-pages.ts), in moto's own XML (read and written with xml.ts);
 * - CreateStack / UpdateStack / CreateChangeSet / ValidateTemplate: a template CloudFormation would
 *   refuse is refused as it refuses it (template-checks.ts), before moto sees it; so are (not for
 *   ValidateTemplate) an SSM parameter type naming a parameter that does not exist and a failed
 *   assertion of the `Rules` section (template-rules.ts);
 * - an HTML error page of moto (its answer to what it cannot handle) becomes CloudFormation's
 *   `InternalFailure`, in CloudFormation's XML;
 * - stack operations take time and injected failures roll back: the statuses and events moto cannot
 *   show come from an overlay (stack-operations.ts, its requests in stack-operations-front.ts).
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
  /** How long each stack operation and change-set creation takes (the faults file's `operationMs`). @default 200 */
  readonly operationMs?: number;
  /** How long a change-set creation takes, when it differs from `operationMs`. @default operationMs */
  readonly changeSetMs?: number;
  /** The faults file's `failResources`: logical id → the operation that fails on it. */
  readonly failResources?: Readonly<Record<string, 'create' | 'update'>>;
  /** Where the statuses moto cannot hold (rollbacks, operations in progress) are kept between processes. */
  readonly stateFile?: string;
  /** The overlay's clock (tests move it by hand). @default the system clock */
  readonly clock?: Clock;
  /** Whether this request is answered with the service's throttling error (the faults file). @default never */
  readonly throttle?: (service: 'cloudformation' | 's3', operation: string) => boolean;
}

/** S3's answer to a throttled request. */
const S3_SLOW_DOWN = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`;

/** The actions whose template CloudFormation checks before it does anything. */
const TEMPLATE_ACTIONS = new Set(['CreateStack', 'UpdateStack', 'CreateChangeSet', 'ValidateTemplate']);

const CREATE_CHANGE_SET_RESULT = ['CreateChangeSetResponse', 'CreateChangeSetResult'] as const;
const DESCRIBE_CHANGE_SET_RESULT = ['DescribeChangeSetResponse', 'DescribeChangeSetResult'] as const;

function xmlReply(response: ServerResponse, status: number, xml: string): void {
  reply(response, status, { 'content-type': 'text/xml' }, xml);
}

/** A parent's change without the id of its nested change set (a change set without IncludeNestedStacks). */
function withoutNestedChangeSet(change: TemplateChange): TemplateChange {
  if (change.ResourceChange?.ChangeSetId === undefined) return change;
  const { ChangeSetId: _id, ...resourceChange } = change.ResourceChange;
  return { ...change, ResourceChange: resourceChange };
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
  // Time and failures (stack-operations.ts): the statuses and events moto cannot show.
  const overlay = new StackOperations({
    ...(options.operationMs === undefined ? {} : { operationMs: options.operationMs }),
    ...(options.changeSetMs === undefined ? {} : { changeSetMs: options.changeSetMs }),
    ...(options.failResources === undefined ? {} : { failResources: options.failResources }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.stateFile === undefined ? {} : { store: fileStore(options.stateFile) }),
  });
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
  const operations = new OperationsFront({
    overlay,
    moto,
    upstream: () => upstream,
    changesOf: (changeSetId) => records.get(changeSetId)?.changes,
    log,
  });
  const nested = new NestedChangeSets(moto, () => upstream, log);

  async function createChangeSet(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    params: URLSearchParams,
  ): Promise<void> {
    let before: StackSnapshot | undefined;
    let stored: StackSnapshot | undefined;
    let problem: string | undefined;
    try {
      stored = await stackSnapshot(
        moto(),
        params.get('ChangeSetType') === 'CREATE' ? null : params.get('StackName'),
      );
      before = userView(stored);
    } catch (error) {
      problem = `the stack's current template could not be read: ${(error as Error).message}`;
    }
    if (await operations.refuseChangeSet(response, params)) return;
    let planned: Awaited<ReturnType<typeof planRequest>>;
    try {
      planned = await planRequest(upstream, params, stored?.template);
    } catch (error) {
      const update = params.get('ChangeSetType') !== 'CREATE';
      if (error instanceof NestedTemplateError && update && stored !== undefined && before !== undefined) {
        return failedChangeSet(request, response, params, stored, error);
      }
      if (!(error instanceof NestedStackError)) throw error;
      return xmlReply(response, 400, queryError(error.code, error.message));
    }
    const answer = await forwardCloudFormation(
      upstream,
      request,
      planned ? forwardedBody(params, planned.plan) : body,
    );
    await operations.changeSetCreated(answer);
    const changeSetId =
      answer.status === 200
        ? xmlText(await parseXml(answer.body.toString('utf8')), [...CREATE_CHANGE_SET_RESULT, 'Id'])
        : undefined;
    // The changes are recorded before the answer goes back, so that no DescribeChangeSet can come first.
    if (changeSetId !== undefined) {
      let record = await changeSetRecord(changeSetId, params, before, problem);
      // Without IncludeNestedStacks the nested stacks are still updated on execution, but the
      // parent's changes do not point at their change sets (as on AWS).
      if (planned && before && record.changes) {
        try {
          const changes = await nested.create(
            changeSetId,
            changeSetId,
            params.get('ChangeSetName') ?? 'change-set',
            planned.template,
            requestParameters(params),
            planned.plan,
            before,
            record.changes,
            records,
          );
          const included = params.get('IncludeNestedStacks') === 'true';
          record = { changes: included ? changes : changes.map(withoutNestedChangeSet) };
        } catch (error) {
          log(
            `CloudFormation front: the nested change sets of ${changeSetId} failed: ${(error as Error).message}`,
          );
          record = { problem: (error as Error).message };
        }
      }
      records.set(changeSetId, record);
    }
    replyWith(response, answer);
  }

  /**
   * CreateChangeSet of a stack whose nested template CloudFormation cannot use: as on AWS, the change
   * set is created and ends FAILED, naming the nested stack and the reason (AWS names the nested
   * change set, whose own StatusReason holds the error; the emulator creates no nested change set
   * and puts the error in the root's reason). moto gets the stack's current template, so the
   * change set changes nothing and can never be executed.
   */
  async function failedChangeSet(
    request: IncomingMessage,
    response: ServerResponse,
    params: URLSearchParams,
    stored: StackSnapshot,
    error: NestedTemplateError,
  ): Promise<void> {
    const copy = new URLSearchParams(params);
    copy.delete('TemplateURL');
    copy.delete('UsePreviousTemplate');
    // A Metadata entry of its own, so that moto creates a change set rather than answering that
    // nothing changed (which CloudFormation never answers to CreateChangeSet).
    const template = {
      ...stored.template,
      Metadata: {
        ...(isRecord(stored.template.Metadata) ? stored.template.Metadata : {}),
        'cfn-safe-deploy-emulator': { failedChangeSet: params.get('ChangeSetName') ?? '' },
      },
    };
    copy.set('TemplateBody', JSON.stringify(template));
    const answer = await forwardCloudFormation(upstream, request, Buffer.from(copy.toString()));
    const reason = `Nested change set for nested stack ${error.logicalId} was not successfully created: ${error.reason}`;
    await operations.changeSetCreated(answer, reason);
    const changeSetId =
      answer.status === 200
        ? xmlText(await parseXml(answer.body.toString('utf8')), [...CREATE_CHANGE_SET_RESULT, 'Id'])
        : undefined;
    if (changeSetId !== undefined) {
      records.set(changeSetId, { changes: [] });
      log(`CloudFormation front: change set ${changeSetId} ends FAILED: ${reason}`);
    }
    replyWith(response, answer);
  }

  /** The request's nested stacks, or 'refused' once a ValidationError naming the bad one is answered. */
  async function planNested(
    response: ServerResponse,
    params: URLSearchParams,
    stored: Record<string, unknown> | undefined,
  ): Promise<Awaited<ReturnType<typeof planRequest>> | 'refused'> {
    try {
      return await planRequest(upstream, params, stored);
    } catch (error) {
      if (!(error instanceof NestedStackError)) throw error;
      xmlReply(response, 400, queryError(error.code, error.message));
      return 'refused';
    }
  }

  async function changeSetRecord(
    changeSetId: string,
    params: URLSearchParams,
    before: StackSnapshot | undefined,
    problem: string | undefined,
  ): Promise<ChangeSetRecord> {
    try {
      if (before === undefined) throw new Error(problem);
      return { changes: await changesOfRequest(params, upstream, before) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log(`CloudFormation front: the changes of ${changeSetId} could not be computed: ${reason}`);
      return { problem: reason };
    }
  }

  async function describeChangeSet(
    request: IncomingMessage,
    response: ServerResponse,
    params: URLSearchParams,
  ): Promise<void> {
    const token = params.get('NextToken');
    params.delete('NextToken');
    const answer = await sendUpstream(
      upstream,
      request.method ?? 'POST',
      request.url ?? '/',
      request.headers,
      Buffer.from(params.toString()),
    );
    if (answer.status !== 200) return replyWith(response, answer);
    const document = await parseXml(answer.body.toString('utf8'));
    const changeSetId = xmlText(document, [...DESCRIBE_CHANGE_SET_RESULT, 'ChangeSetId']) ?? '';
    let offset = 0;
    if (token !== null) {
      const decoded = decodeNextToken(token);
      if (decoded === undefined || decoded.changeSetId !== changeSetId) {
        return xmlReply(
          response,
          400,
          queryError(
            'ValidationError',
            `NextToken ${token.slice(0, 60)} is not a token of change set ${changeSetId}`,
          ),
        );
      }
      offset = decoded.offset;
    }
    const status = xmlText(document, [...DESCRIBE_CHANGE_SET_RESULT, 'Status']);
    const creating = operations.describeChangeSet(xmlElement(document, DESCRIBE_CHANGE_SET_RESULT));
    const record = records.get(changeSetId);
    // moto lists changes for a no-change change set it marks FAILED; AWS lists none, nor while creating.
    const all =
      status === 'FAILED' || creating
        ? []
        : (record?.changes ?? motoChanges(document, DESCRIBE_CHANGE_SET_RESULT));
    if (record === undefined && status !== 'FAILED' && !creating) {
      log(
        `CloudFormation front: change set ${changeSetId} was not created through the front; its changes are moto's, marked conditional`,
      );
    }
    const { page, nextToken } = pageOf(all, changeSetId, offset, pageSize);
    const rewritten = withPage(document, DESCRIBE_CHANGE_SET_RESULT, page, nextToken);
    const lineage = nested.lineage(changeSetId);
    const result = xmlElement(rewritten, DESCRIBE_CHANGE_SET_RESULT);
    if (lineage !== undefined && result !== null && typeof result === 'object')
      Object.assign(result, lineage);
    reply(response, 200, answer.headers, buildXml(rewritten));
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

  /** CloudFormation's refusal of the request's template, or undefined when it takes it. */
  async function refusedTemplate(params: URLSearchParams): Promise<string | undefined> {
    let named: Awaited<ReturnType<typeof requestTemplateText>>;
    try {
      named = await requestTemplateText(params, upstream);
    } catch (error) {
      return queryError('ValidationError', (error as Error).message);
    }
    if (named === undefined) return undefined;
    const problem =
      (await templateProblem(named.text)) ??
      (params.get('Action') === 'ValidateTemplate' ? undefined : await ruleProblem(named.text, params));
    return problem === undefined ? undefined : queryError(problem.code, problem.message);
  }

  /** The SSM parameters and `Rules` of the template, evaluated as CloudFormation does (template-rules.ts). */
  async function ruleProblem(text: string, params: URLSearchParams): Promise<TemplateProblem | undefined> {
    const template = await parseTemplate(text, 'the template');
    if (template.Transform !== undefined) return undefined;
    const keep = new Set<string>();
    for (let n = 1; params.has(`Parameters.member.${n}.ParameterKey`); n += 1) {
      if (params.get(`Parameters.member.${n}.UsePreviousValue`) === 'true') {
        keep.add(params.get(`Parameters.member.${n}.ParameterKey`) ?? '');
      }
    }
    const resolved = await resolveParameters(template, {
      given: requestParameters(params),
      previous: keep.size === 0 ? new Map() : await previousValues(params.get('StackName'), keep),
      ssmParameter: (name) => ssmParameterValue(name),
    });
    if (!(resolved instanceof Map)) return resolved;
    return failedRule(
      template,
      resolved,
      { 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::Partition': 'aws' },
      log,
    );
  }

  /** The stack's current values of `keys` (moto holds SSM parameters' resolved values). */
  async function previousValues(
    stackName: string | null,
    keys: ReadonlySet<string>,
  ): Promise<Map<string, string>> {
    if (stackName === null) return new Map();
    try {
      const answer = await moto().send(new DescribeStacksCommand({ StackName: stackName }));
      return new Map(
        (answer.Stacks?.[0]?.Parameters ?? [])
          .filter((parameter) => keys.has(parameter.ParameterKey ?? ''))
          .map((parameter) => [parameter.ParameterKey ?? '', parameter.ParameterValue ?? '']),
      );
    } catch {
      return new Map();
    }
  }

  let ssm: SSMClient | undefined;
  /** A parameter of moto's SSM, or undefined when it does not exist. */
  async function ssmParameterValue(name: string): Promise<string | undefined> {
    ssm ??= new SSMClient({
      endpoint: upstream,
      region: REGION,
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    } catch (error) {
      if ((error as Error).name === 'ParameterNotFound') return undefined;
      throw error;
    }
  }

  // Load the template diff now rather than inside the first change set's answer.
  void changesFromTemplates(EMPTY_TEMPLATE, EMPTY_TEMPLATE).catch(() => undefined);
  const server = await listen(
    async (request, response) => {
      let body = await readBody(request);
      const contentType = request.headers['content-type'] ?? '';
      const isQuery =
        request.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded');
      const params = isQuery ? new URLSearchParams(body.toString('utf8')) : undefined;
      // SSM (AWS JSON, X-Amz-Target) passes through; the rest that is not a query is S3.
      const isS3 = params === undefined && request.headers['x-amz-target'] === undefined;
      if (isS3 && options.throttle?.('s3', `${request.method} ${request.url}`)) {
        return xmlReply(response, 503, S3_SLOW_DOWN);
      }
      if (params !== undefined) {
        const action = params.get('Action') ?? '';
        if (request.headers[OBSERVER_HEADER] === undefined && options.throttle?.('cloudformation', action)) {
          return xmlReply(response, 400, queryError('Throttling', 'Rate exceeded'));
        }
        if (TEMPLATE_ACTIONS.has(action)) {
          const refusal = await refusedTemplate(params);
          if (refusal !== undefined) return xmlReply(response, 400, refusal);
        }
        if (action === 'CreateStack' || action === 'CreateChangeSet') {
          body = (await nameUnnamedResources(params)) ?? body;
        }
        if (action === 'CreateChangeSet') return createChangeSet(request, response, body, params);
        if (
          (action === 'CreateStack' || action === 'UpdateStack') &&
          (await planNested(response, params, undefined)) === 'refused'
        )
          return;
        if (action === 'ExecuteChangeSet' || action === 'DeleteChangeSet') {
          const id = await nested.idOf(params.get('ChangeSetName') ?? '', params.get('StackName'));
          if (id !== undefined)
            await (action === 'ExecuteChangeSet' ? nested.execute(id) : nested.delete(id));
        }
        if (action === 'DescribeChangeSet') return describeChangeSet(request, response, params);
        if (action !== '' && (await operations.handle(action, request, response, body, params))) return;
        return replyWith(response, await forwardCloudFormation(upstream, request, body));
      }
      replyWith(response, await forwardRequest(upstream, request, body));
    },
    (error) => log(`CloudFormation front: ${error instanceof Error ? error.message : String(error)}`),
  );
  return {
    ...server,
    pageSize,
    setUpstream(endpoint: string) {
      upstream = endpoint;
      client = undefined;
      ssm = undefined;
      records.clear();
      overlay.clear();
      nested.clear();
    },
  };
}
