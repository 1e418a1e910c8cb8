/** The account and region moto uses by default; every ARN the emulator makes is in them. */
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

/** Fake credentials: moto accepts any, and the emulator never talks to AWS. */
export const FAKE_CREDENTIALS = {
  accessKeyId: 'testing',
  secretAccessKey: 'testing',
  sessionToken: 'testing',
} as const;

/** The Deploy state machine as the emulator registers it. */
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:CfnSafeDeploy-Deploy`;

/** Buckets the emulator creates in moto: the pipeline's artifact store, the input bucket, the template staging bucket. */
export const ARTIFACT_BUCKET = `codepipeline-${REGION}-${ACCOUNT}`;
export const INPUT_BUCKET = 'safe-deploy-inputs';
export const TEMPLATE_BUCKET = 'safe-deploy-templates';

/** The statuses moto cannot hold (rollbacks, operations in progress), in the state directory, for moto's lifetime. */
export const CLOUDFORMATION_STATE_FILE = 'cloudformation-state.json';

/** The page size of DescribeChangeSet answered by the CloudFormation front (small, so pagination is exercised). */
export const DEFAULT_CHANGE_SET_PAGE_SIZE = 2;

/** Exit codes of the CLI (docs/contracts.md, `safe-deploy` CLI). */
export const EXIT_SUCCEEDED = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The one command that installs what the emulator needs. */
export const MOTO_INSTALL_HINT = "pip install 'moto[server]'";

/**
 * How often CodePipeline invokes a Lambda action again after a PutJobSuccessResult with a
 * continuation token, in seconds: AWS does not document it; 30 s is an assumption (see the README,
 * "Simulated time").
 */
export const CODEPIPELINE_CONTINUATION_SECONDS = 30;
