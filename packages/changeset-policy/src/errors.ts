/** The policy (a file or a value passed to `parsePolicy`) is not valid. */
export class PolicyError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyError';
  }
}

/** The change-set input is not a DescribeChangeSet response (or an array of them). */
export class ChangeSetInputError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'ChangeSetInputError';
  }
}

/** A DescribeChangeSet call failed while reading a change set from AWS. */
export class ChangeSetReadError extends Error {
  readonly changeSetArn: string;
  constructor(message: string, changeSetArn: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'ChangeSetReadError';
    this.changeSetArn = changeSetArn;
  }
}

/** A CloudFormation template could not be read or parsed. */
export class TemplateError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateError';
  }
}
