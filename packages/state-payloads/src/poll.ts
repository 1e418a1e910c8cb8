import * as z from 'zod/mini';
import './zod-config.js';

/** Where a bounded, backing-off polling loop stands. Wait states read `waitSeconds`. */
export const PollSchema = z.strictObject({
  /** Checks done so far in this loop (0 before the first). */
  attempt: z.number().check(z.int(), z.minimum(0)),
  /** Seconds the next Wait state waits. */
  waitSeconds: z.number().check(z.int(), z.minimum(1)),
  /** Seconds waited so far in this loop, by the schedule. */
  waitedSeconds: z.number().check(z.int(), z.minimum(0)),
  /** True when the loop's time budget is spent: the state machine stops polling and fails. */
  exhausted: z.boolean(),
});
export type Poll = z.infer<typeof PollSchema>;
