/** Where the pipeline gets the repository (this monorepo) from. */
export type PipelineSource =
  | {
      readonly kind: 'codecommit';
      /** The repository's name. */
      readonly repositoryName: string;
      /** Create the repository (true) or use an existing one of that name (false). */
      readonly createRepository: boolean;
      readonly branch: string;
    }
  | {
      readonly kind: 's3';
      /** An existing versioned bucket; when absent the stack creates one (versioned, EventBridge on). */
      readonly bucketName?: string;
      /** The zip of the repository in that bucket. */
      readonly objectKey: string;
    }
  | {
      readonly kind: 'connection';
      /** A CodeStar connection (AWS CodeConnections) to GitHub, GitLab or Bitbucket, already authorized. */
      readonly connectionArn: string;
      readonly owner: string;
      readonly repo: string;
      readonly branch: string;
    };

export const SOURCE_KINDS = ['codecommit', 's3', 'connection'] as const;

export const DEFAULT_REPOSITORY_NAME = 'cfn-safe-deploy';

export const DEFAULT_SOURCE: PipelineSource = {
  kind: 'codecommit',
  repositoryName: DEFAULT_REPOSITORY_NAME,
  createRepository: true,
  branch: 'main',
};

/** Reads one context value (`cdk -c key=value`); undefined when unset. */
export type ContextReader = (key: string) => unknown;

export class SourceContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceContextError';
  }
}

function text(read: ContextReader, key: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'number') {
    throw new SourceContextError(`context ${key} is ${JSON.stringify(value)}; expected a string`);
  }
  return String(value);
}

function required(read: ContextReader, key: string, source: string): string {
  const value = text(read, key);
  if (value === undefined) {
    throw new SourceContextError(`source=${source} needs the context value ${key} (cdk -c ${key}=...)`);
  }
  return value;
}

const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[-a-zA-Z0-9]+$/;

/**
 * The source chosen by context:
 * - `source=codecommit` (default): `repositoryName` (default cfn-safe-deploy), `createRepository`
 *   (default true; false uses an existing repository), `branch` (default main);
 * - `source=s3`: `sourceBucketName` (optional: an existing versioned bucket), `sourceObjectKey`
 *   (default source.zip);
 * - `source=connection`: `connectionArn`, `repository` (`owner/name`), `branch` (default main).
 */
export function sourceFromContext(read: ContextReader): PipelineSource {
  const kind = text(read, 'source') ?? 'codecommit';
  const branch = text(read, 'branch') ?? 'main';
  switch (kind) {
    case 'codecommit': {
      const create = text(read, 'createRepository') ?? 'true';
      if (create !== 'true' && create !== 'false') {
        throw new SourceContextError(`context createRepository is "${create}"; expected true or false`);
      }
      return {
        kind,
        repositoryName: text(read, 'repositoryName') ?? DEFAULT_REPOSITORY_NAME,
        createRepository: create === 'true',
        branch,
      };
    }
    case 's3': {
      const bucketName = text(read, 'sourceBucketName');
      return {
        kind,
        ...(bucketName === undefined ? {} : { bucketName }),
        objectKey: text(read, 'sourceObjectKey') ?? 'source.zip',
      };
    }
    case 'connection': {
      const connectionArn = required(read, 'connectionArn', kind);
      if (!CONNECTION_ARN.test(connectionArn)) {
        throw new SourceContextError(
          `context connectionArn is "${connectionArn}"; expected arn:aws:codeconnections:REGION:ACCOUNT:connection/ID (or codestar-connections)`,
        );
      }
      const repository = required(read, 'repository', kind);
      const [owner, repo, ...rest] = repository.split('/');
      if (!owner || !repo || rest.length > 0) {
        throw new SourceContextError(`context repository is "${repository}"; expected owner/name`);
      }
      return { kind, connectionArn, owner, repo, branch };
    }
    default:
      throw new SourceContextError(`context source is "${kind}"; expected one of ${SOURCE_KINDS.join(', ')}`);
  }
}
