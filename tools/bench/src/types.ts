/** One measured figure. `goal` states the target in words; benches report, they never fail a build. */
export interface BenchResult {
  readonly suite: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly goal?: string;
  /** Whether the figure meets its goal, when the goal is a number the bench can check. */
  readonly meetsGoal?: boolean;
  readonly details?: Readonly<Record<string, number | string>>;
}

export interface BenchSuite {
  readonly name: string;
  run(): Promise<readonly BenchResult[]>;
}
