import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CloudFormationClient,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  type Parameter,
  type Stack,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { parseTemplate, type TemplateChange } from '@cfn-safe-deploy/changeset-policy';
import { recordOf } from '@cfn-safe-deploy/state-payloads';
import { exportedNames, exportInUseReason, exportsOf, importers } from './exports-in-use.js';
import type { OperationPlan, ResourceRef, StackOperations } from './stack-operations.js';
import { forwardCloudFormation, reply, replyWith, type UpstreamAnswer } from './upstream.js';
import {
  buildXml,
  parseXml,
  queryError,
  toQueryValue,
  type XmlDocument,
  xmlElement,
  xmlMembers,
  xmlText,
} from './xml.js';

/**
 * The CloudFormation front's side of the overlay (stack-operations.ts): the stack operations are
 * forwarded to moto at once and recorded in the overlay; the read operations are answered with the
 * overlay's statuses and events. A failed create is left to moto as created (reported
 * ROLLBACK_COMPLETE), or deleted in moto when the request asked for it (OnFailure DELETE); a failed
 * update is undone in moto (its previous template and parameters put back), so GetTemplate answers the
 * template the stack rolled back to.
 */
export interface OperationsFrontDeps {
  readonly overlay: StackOperations;
  readonly moto: () => CloudFormationClient;
  readonly upstream: () => string;
  /** The changes the front computed for a change set (its CreateChangeSet), if any. */
  readonly changesOf: (changeSetId: string) => readonly TemplateChange[] | undefined;
  readonly log: (message: string) => void;
}

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

function xmlReply(response: ServerResponse, status: number, xml: string): void {
  reply(response, status, { 'content-type': 'text/xml' }, xml);
}

function validationError(response: ServerResponse, message: string): void {
  xmlReply(response, 400, queryError('ValidationError', message));
}

interface Previous {
  readonly templateBody: string;
  readonly parameters: Parameter[];
}

export class OperationsFront {
  constructor(private readonly deps: OperationsFrontDeps) {}

  private async stack(nameOrId: string | null): Promise<Stack | undefined> {
    if (!nameOrId) return undefined;
    try {
      return (await this.deps.moto().send(new DescribeStacksCommand({ StackName: nameOrId }))).Stacks?.[0];
    } catch {
      return undefined;
    }
  }

  private async resources(stackId: string): Promise<ResourceRef[]> {
    const answer = await this.deps.moto().send(new DescribeStackResourcesCommand({ StackName: stackId }));
    return (answer.StackResources ?? []).map((resource) => ({
      logicalId: resource.LogicalResourceId ?? '?',
      type: resource.ResourceType ?? '?',
      ...(resource.PhysicalResourceId === undefined ? {} : { physicalId: resource.PhysicalResourceId }),
    }));
  }

  private async previous(stack: Stack): Promise<Previous> {
    const template = await this.deps.moto().send(new GetTemplateCommand({ StackName: stack.StackId }));
    return { templateBody: template.TemplateBody ?? '', parameters: stack.Parameters ?? [] };
  }

  /** Puts back the template and parameters of a stack whose update rolled back. */
  private async restore(stackId: string, previous: Previous): Promise<void> {
    try {
      await this.deps.moto().send(
        new UpdateStackCommand({
          StackName: stackId,
          TemplateBody: previous.templateBody,
          Parameters: previous.parameters.map(({ ParameterKey, ParameterValue }) => ({
            ParameterKey,
            ParameterValue,
          })),
        }),
      );
    } catch (error) {
      this.deps.log(
        `CloudFormation front: the rolled-back stack ${stackId} could not be put back on its previous template in moto: ${(error as Error).message}`,
      );
    }
  }

  private async deleteInMoto(stackId: string): Promise<void> {
    try {
      await this.deps.moto().send(new DeleteStackCommand({ StackName: stackId }));
    } catch (error) {
      this.deps.log(
        `CloudFormation front: the failed stack ${stackId} could not be deleted in moto: ${(error as Error).message}`,
      );
    }
  }

  /** The exports moto lists for the stack, or none when they cannot be read (logged). */
  private async exportsBefore(stackId: string): Promise<Set<string>> {
    try {
      return await exportsOf(this.deps.moto(), stackId);
    } catch (error) {
      this.deps.log(
        `CloudFormation front: the exports of ${stackId} could not be read: ${(error as Error).message}`,
      );
      return new Set();
    }
  }

  /**
   * Why the update just applied in moto must roll back: an export it removed that another stack
   * imports (AWS's reason), or undefined.
   */
  private async exportInUse(stackId: string, before: ReadonlySet<string>): Promise<string | undefined> {
    if (before.size === 0) return undefined;
    try {
      const moto = this.deps.moto();
      const body = (await moto.send(new GetTemplateCommand({ StackName: stackId }))).TemplateBody ?? '';
      const after = exportedNames(await parseTemplate(body, stackId));
      return await exportInUseReason(moto, stackId, new Set([...before].filter((name) => !after.has(name))));
    } catch (error) {
      this.deps.log(
        `CloudFormation front: the imports of the exports of ${stackId} could not be checked: ${(error as Error).message}`,
      );
      return undefined;
    }
  }

  /** ListImports (moto has none): the stacks whose template imports the export. */
  private async listImports(response: ServerResponse, params: URLSearchParams): Promise<void> {
    const name = params.get('ExportName') ?? '';
    const stacks = (await importers(this.deps.moto())).get(name) ?? [];
    if (stacks.length === 0)
      return validationError(response, `Export '${name}' is not imported by any stack.`);
    const document = {
      ListImportsResponse: {
        $: { xmlns: NAMESPACE },
        ListImportsResult: { Imports: { member: stacks } },
        ResponseMetadata: { RequestId: crypto.randomUUID() },
      },
    };
    xmlReply(response, 200, buildXml(document));
  }

  /**
   * Handles `action` when the overlay has a part in it; false when the front goes on as before.
   * `body` is the request body as the front would forward it.
   */
  async handle(
    action: string,
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    params: URLSearchParams,
  ): Promise<boolean> {
    switch (action) {
      case 'CreateStack':
        await this.createStack(request, response, body, params);
        return true;
      case 'UpdateStack':
        await this.updateStack(request, response, body, params);
        return true;
      case 'ExecuteChangeSet':
        await this.executeChangeSet(request, response, body, params);
        return true;
      case 'DeleteStack':
        await this.deleteStack(request, response, body, params);
        return true;
      case 'DescribeStacks':
        await this.describeStacks(request, response, body);
        return true;
      case 'DescribeStackEvents':
        await this.describeStackEvents(request, response, body, params);
        return true;
      case 'ListChangeSets':
        await this.listChangeSets(request, response, body);
        return true;
      case 'ListImports':
        await this.listImports(response, params);
        return true;
      default:
        return false;
    }
  }

  /** The refusal of CreateChangeSet on a busy or rolled-back stack, answered; false when it may go on. */
  async refuseChangeSet(response: ServerResponse, params: URLSearchParams): Promise<boolean> {
    if (params.get('ChangeSetType') === 'CREATE') return false;
    const stack = await this.stack(params.get('StackName'));
    const refusal = stack?.StackId === undefined ? undefined : this.deps.overlay.updateRefusal(stack.StackId);
    if (refusal === undefined) return false;
    validationError(response, refusal);
    return true;
  }

  /**
   * A change set moto has just created (its CreateChangeSet answer); `failure`: the StatusReason of a
   * change set CloudFormation would fail while creating it.
   */
  async changeSetCreated(answer: UpstreamAnswer, failure?: string): Promise<void> {
    if (answer.status !== 200) return;
    const document = await parseXml(answer.body.toString('utf8'));
    const id = xmlText(document, ['CreateChangeSetResponse', 'CreateChangeSetResult', 'Id']);
    const stackId = xmlText(document, ['CreateChangeSetResponse', 'CreateChangeSetResult', 'StackId']);
    if (id !== undefined && stackId !== undefined) this.deps.overlay.changeSetCreated(id, stackId, failure);
  }

  /**
   * Rewrites a DescribeChangeSet answer's Status and ExecutionStatus (`result` is its
   * DescribeChangeSetResult element); true while the change set is still being created.
   */
  describeChangeSet(result: unknown): boolean {
    const fields = recordOf(result);
    if (fields === undefined) return false;
    const id = typeof fields.ChangeSetId === 'string' ? fields.ChangeSetId : '';
    const now = this.deps.overlay.changeSetStatus(id, {
      status: typeof fields.Status === 'string' ? fields.Status : '',
      executionStatus: typeof fields.ExecutionStatus === 'string' ? fields.ExecutionStatus : '',
    });
    fields.Status = now.status;
    fields.ExecutionStatus = now.executionStatus;
    if (now.creating) delete fields.StatusReason;
    if (now.statusReason !== undefined) fields.StatusReason = now.statusReason;
    return now.creating;
  }

  private forward(request: IncomingMessage, body: Buffer): Promise<UpstreamAnswer> {
    return forwardCloudFormation(this.deps.upstream(), request, body);
  }

  private async createStack(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    params: URLSearchParams,
  ): Promise<void> {
    const answer = await this.forward(request, body);
    const stackId =
      answer.status === 200
        ? xmlText(await parseXml(answer.body.toString('utf8')), [
            'CreateStackResponse',
            'CreateStackResult',
            'StackId',
          ])
        : undefined;
    if (stackId !== undefined) {
      const deleteOnFailure = params.get('OnFailure') === 'DELETE';
      const started = this.deps.overlay.startOperation({
        ...this.plan('create', stackId, params, await this.resources(stackId)),
        deleteOnFailure,
      });
      if (started.failed !== undefined && deleteOnFailure) await this.deleteInMoto(stackId);
    }
    replyWith(response, answer);
  }

  private plan(
    kind: OperationPlan['kind'],
    stackId: string,
    params: URLSearchParams,
    resources: readonly ResourceRef[],
  ): OperationPlan {
    const token = params.get('ClientRequestToken');
    const stackName = stackId.split('/')[1] ?? params.get('StackName') ?? stackId;
    return { kind, stackId, stackName, resources, ...(token === null ? {} : { clientRequestToken: token }) };
  }

  private async updateStack(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    params: URLSearchParams,
  ): Promise<void> {
    const stack = await this.stack(params.get('StackName'));
    if (stack?.StackId === undefined) return replyWith(response, await this.forward(request, body));
    const refusal = this.deps.overlay.updateRefusal(stack.StackId);
    if (refusal !== undefined) return validationError(response, refusal);
    const previous = await this.previous(stack);
    const exportsBefore = await this.exportsBefore(stack.StackId);
    const answer = await this.forward(request, body);
    if (answer.status === 200) {
      const resources = (await this.resources(stack.StackId)).map((resource) => ({
        ...resource,
        action: 'Modify' as const,
      }));
      const reason = await this.exportInUse(stack.StackId, exportsBefore);
      const started = this.deps.overlay.startOperation({
        ...this.plan('update', stack.StackId, params, resources),
        ...(reason === undefined ? {} : { exportInUse: { reason, statusBefore: stack.StackStatus ?? '' } }),
      });
      if (started.rolledBack) await this.restore(stack.StackId, previous);
    }
    replyWith(response, answer);
  }

  private async executeChangeSet(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    params: URLSearchParams,
  ): Promise<void> {
    const changeSetName = params.get('ChangeSetName');
    let changeSet: { id: string; stackId: string; status: string; executionStatus: string } | undefined;
    try {
      const described = await this.deps.moto().send(
        new DescribeChangeSetCommand({
          ChangeSetName: changeSetName ?? undefined,
          StackName: params.get('StackName') ?? undefined,
        }),
      );
      if (described.ChangeSetId !== undefined && described.StackId !== undefined) {
        changeSet = {
          id: described.ChangeSetId,
          stackId: described.StackId,
          status: described.Status ?? '',
          executionStatus: described.ExecutionStatus ?? '',
        };
      }
    } catch {
      // moto answers the unknown change set itself.
    }
    if (changeSet === undefined) return replyWith(response, await this.forward(request, body));
    const now = this.deps.overlay.changeSetStatus(changeSet.id, changeSet);
    if (now.creating || now.statusReason !== undefined) {
      return xmlReply(
        response,
        400,
        queryError(
          'InvalidChangeSetStatus',
          `ChangeSet [${changeSet.id}] cannot be executed in its current status of [${now.status}]`,
        ),
      );
    }
    const stack = await this.stack(changeSet.stackId);
    const creating = stack?.StackStatus === 'REVIEW_IN_PROGRESS';
    const refusal = creating ? undefined : this.deps.overlay.updateRefusal(changeSet.stackId);
    if (refusal !== undefined) return validationError(response, refusal);
    const previous = stack !== undefined && !creating ? await this.previous(stack) : undefined;
    const exportsBefore =
      previous === undefined ? new Set<string>() : await this.exportsBefore(changeSet.stackId);
    const answer = await this.forward(request, body);
    if (answer.status === 200) {
      const inMoto = await this.resources(changeSet.stackId);
      const physical = new Map(inMoto.map((resource) => [resource.logicalId, resource.physicalId]));
      const changes = this.deps.changesOf(changeSet.id);
      const resources: ResourceRef[] =
        creating || changes === undefined
          ? inMoto.map((resource) => ({ ...resource, action: creating ? 'Add' : 'Modify' }))
          : changes.flatMap((change) => {
              const logicalId = change.ResourceChange?.LogicalResourceId;
              const action = change.ResourceChange?.Action;
              if (logicalId === undefined || (action !== 'Add' && action !== 'Modify' && action !== 'Remove'))
                return [];
              const physicalId = physical.get(logicalId) ?? change.ResourceChange?.PhysicalResourceId;
              return [
                {
                  logicalId,
                  type: change.ResourceChange?.ResourceType ?? '?',
                  action,
                  ...(physicalId === undefined ? {} : { physicalId }),
                },
              ];
            });
      const deleteOnFailure = params.get('OnStackFailure') === 'DELETE';
      const reason = await this.exportInUse(changeSet.stackId, exportsBefore);
      const started = this.deps.overlay.startOperation({
        ...this.plan(creating ? 'create' : 'update', changeSet.stackId, params, resources),
        deleteOnFailure,
        ...(reason === undefined ? {} : { exportInUse: { reason, statusBefore: stack?.StackStatus ?? '' } }),
      });
      this.deps.overlay.changeSetExecuted(changeSet.id, started);
      if (started.rolledBack) {
        if (previous !== undefined) await this.restore(changeSet.stackId, previous);
        else if (deleteOnFailure) await this.deleteInMoto(changeSet.stackId);
      }
    }
    replyWith(response, answer);
  }

  private async deleteStack(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    params: URLSearchParams,
  ): Promise<void> {
    const stack = await this.stack(params.get('StackName'));
    const resources =
      stack?.StackId === undefined || stack.StackStatus === 'DELETE_COMPLETE'
        ? []
        : await this.resources(stack.StackId);
    if (stack?.StackId !== undefined && stack.StackStatus !== 'DELETE_COMPLETE') {
      // CloudFormation cancels the delete of a stack whose export another stack imports (moto would delete it).
      const reason = await exportInUseReason(
        this.deps.moto(),
        stack.StackId,
        await this.exportsBefore(stack.StackId),
      );
      if (reason !== undefined) {
        const statusBefore = this.deps.overlay.stackStatus(stack.StackId)?.status ?? stack.StackStatus ?? '';
        this.deps.overlay.startOperation({
          ...this.plan('delete', stack.StackId, params, []),
          exportInUse: { reason, statusBefore },
        });
        const document = {
          DeleteStackResponse: {
            $: { xmlns: NAMESPACE },
            ResponseMetadata: { RequestId: crypto.randomUUID() },
          },
        };
        return xmlReply(response, 200, buildXml(document));
      }
    }
    const answer = await this.forward(request, body);
    if (answer.status === 200 && stack?.StackId !== undefined && stack.StackStatus !== 'DELETE_COMPLETE') {
      const rolledBack = this.deps.overlay.stackStatus(stack.StackId)?.status === 'ROLLBACK_COMPLETE';
      // A rolled-back create has no resources left to delete.
      this.deps.overlay.startOperation(
        this.plan('delete', stack.StackId, params, rolledBack ? [] : resources),
      );
    }
    replyWith(response, answer);
  }

  private async describeStacks(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
  ): Promise<void> {
    const answer = await this.forward(request, body);
    if (answer.status !== 200) return replyWith(response, answer);
    const document = await parseXml(answer.body.toString('utf8'));
    for (const member of xmlMembers(
      xmlElement(document, ['DescribeStacksResponse', 'DescribeStacksResult', 'Stacks']),
    )) {
      const fields = recordOf(member);
      const stackId = fields?.StackId;
      if (fields === undefined || typeof stackId !== 'string') continue;
      const now = this.deps.overlay.stackStatus(stackId);
      if (now === undefined) continue;
      fields.StackStatus = now.status;
      if (now.reason === undefined) delete fields.StackStatusReason;
      else fields.StackStatusReason = now.reason;
    }
    reply(response, 200, answer.headers, buildXml(document));
  }

  private async describeStackEvents(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    params: URLSearchParams,
  ): Promise<void> {
    const name = params.get('StackName');
    const stackId = name?.startsWith('arn:') ? name : (await this.stack(name))?.StackId;
    const events = stackId === undefined ? undefined : this.deps.overlay.events(stackId);
    if (events === undefined) return replyWith(response, await this.forward(request, body));
    const document: XmlDocument = {
      DescribeStackEventsResponse: {
        $: { xmlns: NAMESPACE },
        DescribeStackEventsResult: {
          StackEvents: toQueryValue(
            events.map((event) => ({
              StackId: event.stackId,
              EventId: event.eventId,
              StackName: event.stackName,
              LogicalResourceId: event.logicalResourceId,
              PhysicalResourceId: event.physicalResourceId,
              ResourceType: event.resourceType,
              Timestamp: new Date(event.timestamp).toISOString(),
              ResourceStatus: event.resourceStatus,
              ResourceStatusReason: event.reason,
              ClientRequestToken: event.clientRequestToken,
            })),
          ),
        },
        ResponseMetadata: { RequestId: crypto.randomUUID() },
      },
    };
    xmlReply(response, 200, buildXml(document));
  }

  private async listChangeSets(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
  ): Promise<void> {
    const answer = await this.forward(request, body);
    if (answer.status !== 200) return replyWith(response, answer);
    const document = await parseXml(answer.body.toString('utf8'));
    const summaries = xmlElement(document, ['ListChangeSetsResponse', 'ListChangeSetsResult', 'Summaries']);
    for (const member of xmlMembers(summaries)) this.describeChangeSet(member);
    reply(response, 200, answer.headers, buildXml(document));
  }
}
