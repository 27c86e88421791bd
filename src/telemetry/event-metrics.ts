/**
 * Metrics of lifecycle events, their streams and webhook deliveries, in the
 * one registry (./metrics.ts). Labels are event types and outcome words.
 */
import { Counter, Gauge } from 'prom-client';
import { registry } from './metrics.js';

export const eventMetrics = {
  events: new Counter({
    name: 'sandboxed_events_total',
    help: 'Lifecycle events stored, by type',
    labelNames: ['type'] as const,
    registers: [registry],
  }),
  streams: new Gauge({
    name: 'sandboxed_event_streams',
    help: 'Open GET /v1/events streams',
    registers: [registry],
  }),
  streamsDropped: new Counter({
    name: 'sandboxed_event_streams_dropped_total',
    help: 'Event streams closed because their client fell more than SANDBOXD_EVENTS_CLIENT_BUFFER events behind',
    registers: [registry],
  }),
  deliveries: new Counter({
    name: 'sandboxed_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome (delivered, retry, failed: given up)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
};
