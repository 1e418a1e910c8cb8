import { FAKE_CREDENTIALS, REGION, STATE_MACHINE_ARN, TEMPLATE_BUCKET } from './constants.js';

/** Where the bundles' SDK calls go: the emulator's two local servers. */
export interface EmulatorEndpoints {
  /** The CloudFormation front: CloudFormation, S3, SSM and STS (moto behind it). */
  readonly front: string;
  /** The JSON endpoint: Step Functions and the CodePipeline job calls. */
  readonly json: string;
}

/** The environment every bundle sees: region, fake credentials, the emulator's endpoints, its settings. */
export function bundleEnvironment(endpoints: EmulatorEndpoints): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: FAKE_CREDENTIALS.sessionToken,
    AWS_ENDPOINT_URL_CLOUDFORMATION: endpoints.front,
    AWS_ENDPOINT_URL_S3: endpoints.front,
    AWS_ENDPOINT_URL_SSM: endpoints.front,
    AWS_ENDPOINT_URL_STS: endpoints.front,
    AWS_ENDPOINT_URL_ECR: endpoints.front,
    AWS_ENDPOINT_URL_SFN: endpoints.json,
    AWS_ENDPOINT_URL_CODEPIPELINE: endpoints.json,
    AWS_S3_FORCE_PATH_STYLE: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_LAMBDA_RUNTIME_API: '',
    TEMPLATE_BUCKET,
    STATE_MACHINE_ARN,
    // Powertools Logger writes through the global console in dev mode, which the capture redirects.
    POWERTOOLS_DEV: 'true',
  };
}

/** Variables of the user's shell that would send the bundles' SDK calls to AWS instead of the emulator. */
export const AWS_SETTINGS_OF_THE_SHELL = [
  'AWS_PROFILE',
  'AWS_ENDPOINT_URL',
  'AWS_DEFAULT_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
] as const;

/**
 * Sets `environment` in `process.env` and removes the `unset` names; returns the function that
 * puts back exactly what was there before.
 *
 * Why `process.env` at all: the bundles run in this process exactly as built, and read their
 * configuration where Lambda puts it. The SDK clients they create at module scope read the region,
 * credentials and `AWS_ENDPOINT_URL_*` from it, Powertools reads its service name from it at
 * import, and the handlers read their settings (TEMPLATE_BUCKET, STATE_MACHINE_ARN) from it on each
 * call. No other channel reaches them, so this is the one place the emulator writes `process.env`.
 */
export function setProcessEnvironment(
  environment: Readonly<Record<string, string>>,
  unset: readonly string[] = [],
): () => void {
  const names = [...new Set([...Object.keys(environment), ...unset])];
  const before = new Map(names.map((name) => [name, process.env[name]]));
  for (const name of unset) delete process.env[name];
  Object.assign(process.env, environment);
  return () => {
    for (const [name, value] of before) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
