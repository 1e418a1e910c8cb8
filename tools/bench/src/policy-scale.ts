import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, timeProcess } from './stats.js';
import type { BenchResult, BenchSuite } from './types.js';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = join(workspaceRoot, 'packages/changeset-policy/dist/cli.js');

const ROUNDS = 12;
const NESTED = 10;
const PAGES = 100;
const CHANGES = 10_000;
const RATIO_GOAL = 2;

const arn = (name: string) =>
  `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${name}/00000000-0000-0000-0000-${name.padStart(12, '0').slice(-12)}`;

/** A change like AWS prints it: mostly in-place updates and additions, 1 % removals. */
function resourceChange(index: number) {
  const kind = index % 100;
  if (kind === 0) {
    return {
      Type: 'Resource',
      HookInvocationCount: 0,
      ResourceChange: {
        Action: 'Remove',
        LogicalResourceId: `Queue${index}`,
        PhysicalResourceId: `https://sqs.us-east-1.amazonaws.com/123456789012/queue-${index}`,
        ResourceType: 'AWS::SQS::Queue',
        PolicyAction: 'Delete',
        Scope: [],
        Details: [],
      },
    };
  }
  if (kind % 3 === 0) {
    return {
      Type: 'Resource',
      ResourceChange: {
        Action: 'Add',
        LogicalResourceId: `Topic${index}`,
        ResourceType: 'AWS::SNS::Topic',
        Scope: [],
        Details: [],
      },
    };
  }
  return {
    Type: 'Resource',
    HookInvocationCount: 0,
    ResourceChange: {
      Action: 'Modify',
      LogicalResourceId: `Function${index}`,
      PhysicalResourceId: `fn-${index}`,
      ResourceType: 'AWS::Lambda::Function',
      Replacement: 'False',
      Scope: ['Properties'],
      Details: [
        {
          Target: {
            Attribute: 'Properties',
            Name: 'Timeout',
            RequiresRecreation: 'Never',
            Path: '/Properties/Timeout',
          },
          Evaluation: 'Static',
          ChangeSource: 'DirectModification',
        },
      ],
    },
  };
}

/**
 * Writes one file per page: a root change set and NESTED nested change sets, PAGES pages and
 * CHANGES changes in all (the root's first page points at the nested change sets).
 */
function writeLargeInput(dir: string): string[] {
  const changeSets = [arn('root'), ...Array.from({ length: NESTED }, (_, i) => arn(`nested${i}`))];
  const pagesPerSet = PAGES / changeSets.length;
  const files: string[] = [];
  let next = 0;
  changeSets.forEach((id, setIndex) => {
    const pageCount = Math.floor(pagesPerSet) + (setIndex < PAGES % changeSets.length ? 1 : 0);
    for (let p = 0; p < pageCount; p += 1) {
      const changes: unknown[] = [];
      if (setIndex === 0 && p === 0) {
        for (let n = 0; n < NESTED; n += 1) {
          changes.push({
            Type: 'Resource',
            ResourceChange: {
              Action: 'Modify',
              LogicalResourceId: `Nested${n}`,
              ResourceType: 'AWS::CloudFormation::Stack',
              Replacement: 'False',
              ChangeSetId: changeSets[n + 1],
              Scope: ['Properties'],
              Details: [],
            },
          });
        }
      }
      while (changes.length < CHANGES / PAGES) {
        next += 1;
        changes.push(resourceChange(next));
      }
      const page = {
        ChangeSetId: id,
        ChangeSetName: `cs-${setIndex}`,
        StackName: setIndex === 0 ? 'prod-app' : `prod-app-Nested${setIndex - 1}`,
        Status: 'CREATE_COMPLETE',
        ExecutionStatus: 'AVAILABLE',
        CreationTime: '2026-11-01T00:00:00.000Z',
        Changes: changes,
        ...(p < pageCount - 1 ? { NextToken: `token-${setIndex}-${p + 1}` } : {}),
      };
      const file = join(dir, `page-${String(files.length).padStart(3, '0')}.json`);
      writeFileSync(file, JSON.stringify(page, null, 2));
      files.push(file);
    }
  });
  return files;
}

/** `changeset-policy evaluate` as a whole process: one change vs 10,000 changes over 100 pages and 10 nested change sets. */
export const policyScale: BenchSuite = {
  name: 'policy-scale',
  async run(): Promise<readonly BenchResult[]> {
    const dir = mkdtempSync(join(tmpdir(), 'bench-policy-scale-'));
    try {
      const small = join(dir, 'one-change.json');
      writeFileSync(
        small,
        JSON.stringify({
          ChangeSetId: arn('small'),
          ChangeSetName: 'small',
          StackName: 'prod-app',
          Changes: [resourceChange(1)],
        }),
      );
      const large = writeLargeInput(dir);
      const args = (files: readonly string[]) => [cli, 'evaluate', '--format', 'json', ...files];
      const options = { cwd: workspaceRoot, okExitCodes: [0, 1] };
      // Warm the file cache once before measuring.
      timeProcess(process.execPath, args([small]), options);
      timeProcess(process.execPath, args(large), options);
      const medians = interleaved(
        {
          one: () => timeProcess(process.execPath, args([small]), options),
          large: () => timeProcess(process.execPath, args(large), options),
        },
        ROUNDS,
      );
      const one = medians.one ?? Number.NaN;
      const big = medians.large ?? Number.NaN;
      const ratio = big / one;
      const details = { rounds: ROUNDS, changes: CHANGES, pages: large.length, nestedChangeSets: NESTED };
      return [
        { suite: 'policy-scale', name: 'evaluate 1 change (median)', value: one, unit: 'ms', details },
        {
          suite: 'policy-scale',
          name: `evaluate ${CHANGES} changes / ${large.length} pages / ${NESTED} nested (median)`,
          value: big,
          unit: 'ms',
          details,
        },
        {
          suite: 'policy-scale',
          name: 'ratio large / one',
          value: ratio,
          unit: '×',
          goal: `≤ ${RATIO_GOAL}×`,
          meetsGoal: ratio <= RATIO_GOAL,
          details,
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
