import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { errorNameOf } from '@cfn-safe-deploy/state-payloads';
import { ACCOUNT, FAKE_CREDENTIALS, REGION } from './constants.js';

/**
 * What `cdk bootstrap` leaves in an account that CDK's default synthesizer relies on, as the
 * emulator provides it: the file asset bucket and the version parameter its templates' rule checks.
 * The IAM roles of the bootstrap stack are not made (the emulator authorizes nothing; moto's STS
 * lets any role be assumed).
 */

/** The default qualifier of CDK's bootstrap (`hnb659fds`). */
export const BOOTSTRAP_QUALIFIER = 'hnb659fds';

/** The bootstrap's file asset bucket in the emulator's account and region. */
export const BOOTSTRAP_ASSET_BUCKET = `cdk-${BOOTSTRAP_QUALIFIER}-assets-${ACCOUNT}-${REGION}`;

/** The SSM parameter holding the bootstrap stack's version. */
export const BOOTSTRAP_VERSION_PARAMETER = `/cdk-bootstrap/${BOOTSTRAP_QUALIFIER}/version`;

/**
 * The version the emulator's bootstrap reports: `CdkBootstrapVersion` of the bootstrap template
 * shipped with the CDK CLI the workspace uses (aws-cdk 2.1148.1, `lib/api/bootstrap/bootstrap-template.yaml`).
 * Templates of aws-cdk-lib 2.276.0 require at least 6 (their CheckBootstrapVersion rule).
 */
export const BOOTSTRAP_VERSION = '33';

export interface BootstrapOptions {
  /** moto's endpoint (S3 and SSM). */
  readonly endpoint: string;
}

/**
 * Makes moto look like a bootstrapped account (`emulator start` calls it on the new moto): creates
 * the asset bucket and the version parameter, each kept as it is when it exists. A `deploy` takes
 * the account as it finds it, so a parameter set to an old version or removed stays so.
 */
export async function bootstrapAccount(options: BootstrapOptions): Promise<void> {
  const s3 = new S3Client({
    endpoint: options.endpoint,
    region: REGION,
    credentials: FAKE_CREDENTIALS,
    forcePathStyle: true,
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BOOTSTRAP_ASSET_BUCKET }));
  } catch (error) {
    const name = errorNameOf(error);
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  const ssm = new SSMClient({ endpoint: options.endpoint, region: REGION, credentials: FAKE_CREDENTIALS });
  await ssm
    .send(
      new PutParameterCommand({
        Name: BOOTSTRAP_VERSION_PARAMETER,
        Value: BOOTSTRAP_VERSION,
        Type: 'String',
      }),
    )
    .catch((error: unknown) => {
      if (errorNameOf(error) !== 'ParameterAlreadyExists') throw error;
    });
}
