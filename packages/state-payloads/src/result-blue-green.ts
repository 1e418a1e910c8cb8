import * as z from 'zod/mini';
import { NameSchema } from './schemas-common.js';

/** Set by "Prepare Blue/Green Stack": the new stack created instead of updating the old one. */
export const BlueGreenSchema = z.strictObject({ stackName: NameSchema });
export type BlueGreen = z.infer<typeof BlueGreenSchema>;
