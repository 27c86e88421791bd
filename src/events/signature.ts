/**
 * Webhook signatures: HMAC-SHA256 with the webhook's secret over
 * `<timestamp>.<body>`, hex, sent as `x-sandboxed-signature: v1=<hex>` beside
 * `x-sandboxed-timestamp: <unix seconds>` (the attempt's time: a receiver
 * rejects old ones, so a captured request cannot be replayed later).
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-sandboxed-signature';
export const TIMESTAMP_HEADER = 'x-sandboxed-timestamp';

export function sign(secret: string, timestampS: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}
