import * as z from 'zod/mini';
import './zod-config.js';

// Field schemas the payload schemas share.

export const NameSchema = z.string().check(z.minLength(1));
export const ArnSchema = z.string().check(z.startsWith('arn:', 'must be an ARN'));
export const TimestampSchema = z.iso.datetime({ offset: true });
/** The execution name, unique per pipeline job. */
export const DeploymentIdSchema = z.string().check(z.minLength(1), z.maxLength(80));
