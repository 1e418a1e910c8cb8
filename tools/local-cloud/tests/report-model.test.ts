import type { AslDefinition } from '@cfn-safe-deploy/state-machine';
import { describe, expect, it } from 'vitest';
import { maskSecretsInText } from '../src/masking.js';
import { renderReport } from '../src/report.js';
import { foldedStates, layoutMachine, pathOf } from '../src/report-graph.js';
import {
  describeChoiceRule,
  logsOfState,
  machineOf,
  parseSavedRun,
  RUN_FORMAT,
  type SavedRun,
  type SavedStateRun,
} from '../src/run-file.js';

const RETRY = [{ ErrorEquals: ['RetryableError'], MaxAttempts: 4 }];
const CATCH = [{ ErrorEquals: ['States.ALL'], Next: 'Errored' }];

/** A small machine with what the real one has: a polling loop, a Choice, Catches, Retries, a Fail. */
const definition: AslDefinition = {
  StartAt: 'Create',
  States: {
    Create: { Type: 'Task', Resource: 'arn:fn:create', Next: 'Wait', Retry: RETRY, Catch: CATCH },
    Wait: { Type: 'Wait', Seconds: 5, Next: 'Poll' },
    Poll: { Type: 'Task', Resource: 'arn:fn:poll', Next: 'Done?', Retry: RETRY, Catch: CATCH },
    'Done?': {
      Type: 'Choice',
      Choices: [
        { Variable: '$.operation.outcome', StringEquals: 'succeeded', Next: 'Succeeded' },
        {
          And: [
            { Variable: '$.operation.outcome', StringEquals: 'failed' },
            { Variable: '$.operation.reason', IsPresent: true },
          ],
          Next: 'Failed With Reason',
        },
      ],
      Default: 'Wait',
    },
    'Failed With Reason': { Type: 'Pass', Next: 'Deployment Failed' },
    Errored: { Type: 'Pass', Next: 'Deployment Failed' },
    Succeeded: { Type: 'Succeed' },
    'Deployment Failed': { Type: 'Fail', Error: 'DeploymentFailed' },
  },
};
const taskFunctions = { Create: 'create-stack', Poll: 'get-stack-status' };

function run(name: string, type: string, at: number, extra: Partial<SavedStateRun> = {}): SavedStateRun {
  return {
    name,
    type,
    enteredAt: at,
    exitedAt: at + 5,
    input: {},
    output: {},
    retries: 0,
    logs: [],
    ...extra,
  };
}

/** Create (retried twice), three rounds of Wait → Poll → Done?, then a failure with a reason. */
const failingPath: SavedStateRun[] = [
  run('Create', 'Task', 0, { retries: 2, logs: ['INFO creating app-api'] }),
  ...[1, 2, 3].flatMap((round) => [
    run('Wait', 'Wait', round * 100),
    run('Poll', 'Task', round * 100 + 10, {
      output: { operation: { outcome: round < 3 ? 'busy' : 'failed' } },
    }),
    run('Done?', 'Choice', round * 100 + 20),
  ]),
  run('Failed With Reason', 'Pass', 400),
  run('Deployment Failed', 'Fail', 410, { error: 'DeploymentFailed', cause: '{"result":"failed"}' }),
];

const finding = {
  stackPath: ['Storage'],
  logicalResourceId: 'OrdersTable',
  resourceType: 'AWS::DynamoDB::Table',
  action: 'Modify',
  replacement: 'True',
  policyAction: 'ReplaceAndDelete',
  reason: 'changing KeySchema requires recreation',
  rule: 'no-replacement',
};

function severalStacks(): SavedRun {
  return {
    format: RUN_FORMAT,
    result: 'Failed',
    message: 'app-api was refused',
    jobId: 'job-1',
    source: '/src/cdk.out',
    inputFile: '/src/input.json',
    startedAt: '2026-01-01T10:00:00.000Z',
    finishedAt: '2026-01-01T10:00:03.000Z',
    triggerInvocations: 3,
    machine: machineOf(definition, taskFunctions),
    stacks: [
      {
        status: 'attempted',
        stackName: 'app-network',
        stackStatus: 'UPDATE_COMPLETE',
        executionStatus: 'SUCCEEDED',
        verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK',
        findings: [],
        allowed: [{ ...finding, logicalResourceId: 'LogGroup', allowedBy: 'allow.logicalIds' }],
        outcome: { result: 'updated', stackName: 'app-network' },
        message: 'Updated app-network.',
        states: [run('Create', 'Task', 0), run('Succeeded', 'Succeed', 10)],
      },
      {
        status: 'attempted',
        stackName: 'app-api',
        stackStatus: 'UPDATE_COMPLETE',
        executionStatus: 'FAILED',
        verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
        findings: [finding],
        allowed: [],
        outcome: {
          result: 'refused',
          stackName: 'app-api',
          verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
          findings: [finding],
          findingCount: 1,
        },
        message: 'Refused.',
        states: failingPath.map((state) =>
          state.name === 'Create'
            ? {
                ...state,
                input: { password: 'hunter2', stackName: 'app-api' },
                output: { sessionToken: 'abc' },
              }
            : state,
        ),
      },
      { status: 'not-attempted', stackName: 'app-web', reason: 'an earlier stack was refused' },
    ],
  };
}

describe('the machine drawn from the definition', () => {
  it('keeps every transition: Next, each Choice rule in words, the Default, each Catch, the Retries and the functions', () => {
    // Act
    const machine = machineOf(definition, taskFunctions);

    // Assess
    expect(machine.startAt).toBe('Create');
    expect(machine.states.Create).toEqual({
      type: 'Task',
      next: 'Wait',
      catches: [{ errors: ['States.ALL'], next: 'Errored' }],
      retries: [{ errors: ['RetryableError'], maxAttempts: 4 }],
      function: 'create-stack',
    });
    expect(machine.states['Done?']).toEqual({
      type: 'Choice',
      choices: [
        { next: 'Succeeded', when: 'outcome = "succeeded"' },
        { next: 'Failed With Reason', when: 'outcome = "failed" & reason present' },
      ],
      default: 'Wait',
    });
  });

  it('describes Choice rules shortly: comparisons, presence, Not, Or', () => {
    expect(describeChoiceRule({ Variable: '$.poll.attempt', NumericGreaterThanEquals: 5 })).toBe(
      'attempt ≥ 5',
    );
    expect(describeChoiceRule({ Not: { Variable: '$.blueGreen', IsPresent: true } })).toBe(
      'not (blueGreen present)',
    );
    expect(
      describeChoiceRule({
        Or: [
          { Variable: '$.a', BooleanEquals: true },
          { Variable: '$.b', StringMatches: 'x*' },
        ],
      }),
    ).toBe('a = true | b ~ "x*"');
  });

  it('lays the states out with dagre: every state not folded is placed, inside the drawing, none overlapping', () => {
    // Prepare
    const machine = machineOf(definition, taskFunctions);
    const folded = foldedStates(machine, new Set(['Create', 'Succeeded']));

    // Act
    const drawing = layoutMachine(machine, folded);

    // Assess: a Pass with one way in and out that did not run is folded into its edge (Errored,
    // entered from two Catches, is not)
    expect([...folded]).toEqual(['Failed With Reason']);
    expect(drawing.nodes.map((node) => node.name).sort()).toEqual(
      Object.keys(definition.States)
        .filter((name) => name !== 'Failed With Reason')
        .sort(),
    );
    const choice = drawing.edges.find(
      (edge) => edge.from === 'Done?' && edge.label.startsWith('outcome = "failed"'),
    );
    expect(choice).toMatchObject({ to: 'Deployment Failed', via: ['Failed With Reason'] });
    expect(foldedStates(machine, new Set(failingPath.map((state) => state.name)))).toEqual(new Set());
    for (const node of drawing.nodes) {
      expect(node.x).toBeGreaterThanOrEqual(0);
      expect(node.x + node.width).toBeLessThanOrEqual(drawing.width);
      for (const other of drawing.nodes) {
        if (other === node) continue;
        const apart =
          node.x + node.width <= other.x ||
          other.x + other.width <= node.x ||
          node.y + node.height <= other.y ||
          other.y + other.height <= node.y;
        expect(apart, `${node.name} overlaps ${other.name}`).toBe(true);
      }
    }
    expect(drawing.edges.every((edge) => edge.points.length >= 2)).toBe(true);
  });

  it('reads the path: run counts of a loop, retries, the failed states and the transitions taken', () => {
    // Act
    const path = pathOf(failingPath);

    // Assess
    expect(path.runs.get('Poll')).toBe(3);
    expect(path.retries.get('Create')).toBe(2);
    expect(path.status.get('Deployment Failed')).toBe('failed');
    expect(path.status.get('Poll')).toBe('succeeded');
    expect(path.status.has('Succeeded')).toBe(false);
    expect(path.taken.has('Done?\u0000Wait')).toBe(true);
    expect(path.taken.has('Done?\u0000Succeeded')).toBe(false);
  });
});

describe('renderReport', () => {
  it('GIVEN several stacks THEN the verdict and the blocking finding come first, then one section per stack in order, the one not attempted as such', () => {
    // Act
    const html = renderReport(severalStacks());

    // Assess
    const top = html.slice(0, html.indexOf('<main>'));
    expect(top).toContain('<h1>3 stacks: the deployment failed</h1>');
    expect(top).toMatch(
      /What blocked the deployment: 1 change.*<td>app-api<\/td><td>Storage<\/td><td class="id">OrdersTable<\/td><td>AWS::DynamoDB::Table<\/td><td class="short">Modify<\/td><td class="short">True<\/td><td class="short">ReplaceAndDelete<\/td><td class="reason">changing KeySchema requires recreation<\/td>/s,
    );
    expect(top).toMatch(/Allowed by the policy.*<td class="id">LogGroup<\/td>.*<td>allow\.logicalIds<\/td>/s);
    const sections = [
      ...html.matchAll(
        /<section class="stack[^"]*" id="stack-(\d)"><h2><span class="tag (\w+)">([^<]+)<\/span> \d\. ([\w-]+)/g,
      ),
    ].map((match) => [match[4], match[3], match[2]]);
    expect(sections).toEqual([
      ['app-network', 'updated', 'ok'],
      ['app-api', 'refused', 'ko'],
      ['app-web', 'not attempted', 'skip'],
    ]);
    expect(html).toContain('Not attempted: an earlier stack was refused');
    // one drawing per attempted stack, each with its own marker ids
    expect(html.match(/<svg class="machine"/g)).toHaveLength(2);
    expect(html).toContain('id="s1-arrow-failed"');
  });

  it('GIVEN a loop and retries THEN the drawing says how often each ran, colours the path and the inspector has each run with its logs', () => {
    // Act
    const html = renderReport(severalStacks());
    const api = html.slice(html.indexOf('id="stack-1"'), html.indexOf('id="stack-2"'));

    // Assess
    expect(api).toMatch(
      /<g class="state succeeded t-task" data-state="Poll"[^>]*>.*?<text class="badge"[^>]*>×3<\/text>/s,
    );
    expect(api).toMatch(
      /<g class="state succeeded t-task" data-state="Create"[^>]*>.*?<text class="badge"[^>]*>↻2<\/text>/s,
    );
    expect(api).toMatch(/<g class="state failed t-fail" data-state="Deployment Failed"/);
    expect(api).toMatch(/<g class="state not-taken t-succeed" data-state="Succeeded"/);
    expect(api).toMatch(/<path class="edge next taken to-failed"/);
    expect(api).toMatch(/<text class="edge-label"[^>]*>outcome = &quot;failed&quot; &amp; reas…<\/text>/);
    expect(api).toContain(
      '<title>Done? → Failed With Reason: outcome = &quot;failed&quot; &amp; reason present</title>',
    );
    expect(api).toContain('Run 3 of 3:');
    expect(api).toContain(
      'Log lines of create-stack (1)</summary><pre class="log">INFO creating app-api</pre>',
    );
    expect(api).toContain('retry policy: up to 4 on RetryableError');
  });

  it('masks secrets in inputs and outputs, and makes no request: no external URL, inline style and script only', () => {
    // Act
    const html = renderReport(severalStacks());

    // Assess
    expect(html).not.toContain('hunter2');
    expect(html).toContain('&quot;password&quot;: &quot;***&quot;');
    expect(html).toContain('&quot;sessionToken&quot;: &quot;***&quot;');
    expect(html).not.toMatch(/<link|<img|\ssrc=|url\((?!#)|@import|href="http/);
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'`,
    );
  });
});

describe('saved runs', () => {
  it('round-trips through JSON', () => {
    const saved = severalStacks();
    expect(parseSavedRun(JSON.stringify(saved), 'run.json')).toEqual(saved);
  });

  it.each([
    [
      'not JSON',
      '{"format":',
      /run\.json \(a run saved with safe-deploy deploy --save\) is invalid: it is not JSON/,
    ],
    [
      'another format',
      JSON.stringify({ ...severalStacks(), format: 'other/1' }),
      /format is "other\/1"; expected "safe-deploy-run\/1"/,
    ],
    [
      'a stack without its status',
      JSON.stringify({ ...severalStacks(), stacks: [{ stackName: 'x' }] }),
      /stacks\[0\]\.status/,
    ],
    [
      'a bad retry count',
      JSON.stringify({
        ...severalStacks(),
        stacks: [{ ...severalStacks().stacks[0], states: [{ ...run('Create', 'Task', 0), retries: -1 }] }],
      }),
      /stacks\[0\]\.states\[0\]\.retries: .*\(got number -1\)/,
    ],
  ])('GIVEN %s THEN the error names the bad field and what was expected', (_what, text, message) => {
    expect(() => parseSavedRun(text, 'run.json')).toThrow(message);
  });

  it('keeps the lines a function logged while its state ran, masked, and not those of other functions or times', () => {
    // Prepare
    const logs = [
      { at: 5, source: 'create-stack', text: 'before' },
      { at: 10, source: 'create-stack', text: 'INFO {"secretAccessKey": "AKIA1234", "stack": "app"}' },
      { at: 12, source: 'get-stack-status', text: 'other function' },
      { at: 15, source: 'create-stack', text: 'token=abc123 done' },
      { at: 16, source: 'create-stack', text: 'after' },
    ];

    // Act
    const lines = logsOfState({ enteredAt: 10, exitedAt: 15 }, 'create-stack', logs);

    // Assess
    expect(lines).toEqual(['INFO {"secretAccessKey": "***", "stack": "app"}', 'token=*** done']);
    expect(logsOfState({ enteredAt: 10, exitedAt: 15 }, undefined, logs)).toEqual([]);
  });

  it('masks secret-looking values in plain text and leaves the rest', () => {
    expect(maskSecretsInText('"authorization":"Bearer x", "user": "me", password: pw1')).toBe(
      '"authorization":"***", "user": "me", password: ***',
    );
  });
});
