/**
 * Agent tasks on the wire: the task, and the one event schema both agents are
 * normalised into (src/domain/task.ts), as streamed by the SSE endpoint.
 * Results come from stored JSON, so fields added later are optional here.
 */
import { z } from 'zod';
import { AGENTS } from '../domain/task.js';

const timestamp = z.string().meta({ format: 'date-time' });
const agent = z.enum(AGENTS);

const usageFields = { input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number() };
const usageSchema = z.object(usageFields).meta({ id: 'Usage', description: 'Model tokens and cost' });

const resultSchema = z
  .object({
    text: z.string().meta({ description: 'The agent’s final answer' }),
    files_changed: z.array(z.string()),
    files_changed_truncated: z.boolean().optional().meta({ description: 'More files changed than files_changed lists' }),
    usage: usageSchema,
  })
  .meta({ id: 'TaskResult' });

const RESULT_EXAMPLE = { text: 'Created index.html.', files_changed: ['index.html'], files_changed_truncated: false, usage: { input_tokens: 1200, output_tokens: 85, cost_usd: 0.0049 } };

const TASK_EXAMPLE = {
  id: '01jh6x0q3c4v5b6n7m8k9j0h1g',
  sandbox_id: 'demo',
  agent: 'claude-code',
  model: 'claude-sonnet-4-5',
  base_url: null,
  status: 'succeeded',
  prompt: 'create index.html that says hello',
  result: RESULT_EXAMPLE,
  error: null,
  session_id: 'b8f1c3e2-…',
  continue_from: null,
  checkpoint_id: '01jh6x0q2b3c4d5e6f7g8h9j0k',
  env_names: ['ANTHROPIC_API_KEY'],
  timeout_s: 1800,
  key_in_sandbox: false,
  max_tokens_total: null,
  max_cost_usd: null,
  usage: { input_tokens: 1200, output_tokens: 85, cost_usd: 0.0049 },
  created_at: '2025-01-01T12:00:00.000Z',
  started_at: '2025-01-01T12:00:01.000Z',
  ended_at: '2025-01-01T12:00:40.000Z',
  events_url: '/v1/sandboxes/demo/tasks/01jh6x0q3c4v5b6n7m8k9j0h1g/events',
};

export const taskSchema = z
  .object({
    id: z.string(),
    sandbox_id: z.string(),
    agent,
    model: z.string().nullable(),
    base_url: z.string().nullable(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out']),
    prompt: z.string(),
    result: resultSchema.nullable(),
    error: z.string().nullable(),
    session_id: z.string().nullable(),
    continue_from: z.string().nullable(),
    checkpoint_id: z.string().nullable().meta({ description: 'The snapshot taken right before the agent started; POST …/undo restores it' }),
    env_names: z.array(z.string()).meta({ description: 'Names of the task’s variables; values are never stored' }),
    timeout_s: z.number().int(),
    key_in_sandbox: z.boolean().meta({ description: 'The provider key was put in the agent’s env (no gateway, no budgets)' }),
    max_tokens_total: z.number().int().nullable().meta({ description: 'The task’s token budget; the agent is stopped past it' }),
    max_cost_usd: z.number().nullable().meta({ description: 'The task’s cost budget in USD' }),
    usage: usageSchema.nullable().meta({ description: 'What the model gateway counted so far (live while the task runs); null for key_in_sandbox tasks' }),
    created_at: timestamp,
    started_at: timestamp.nullable(),
    ended_at: timestamp.nullable(),
    events_url: z.string(),
  })
  .meta({ id: 'Task', description: 'An agent run in a sandbox', examples: [TASK_EXAMPLE] });

export const taskListSchema = z
  .object({ tasks: z.array(taskSchema), count: z.number().int(), next_cursor: z.string().nullable().meta({ description: 'Pass as ?cursor= for the next page; null: this was the last' }) })
  .meta({ id: 'TaskList', examples: [{ tasks: [TASK_EXAMPLE], count: 1, next_cursor: null }] });

/** Every event: `seq` (the SSE id, 1, 2, 3…), `ts`, and the agent's own line under `raw` (null for the daemon's). */
const common = { seq: z.number().int().min(1), ts: timestamp, raw: z.unknown() };
const event = (type: string, fields: z.ZodRawShape, id: string) => z.object({ type: z.literal(type), ...fields, ...common }).meta({ id });

export const taskEventSchema = z
  .discriminatedUnion('type', [
    event('task.started', { agent, model: z.string().nullable(), continue_from: z.string().nullable() }, 'TaskStartedEvent'),
    event('agent.message', { text: z.string() }, 'AgentMessageEvent'),
    event('tool.started', { tool_call_id: z.string(), name: z.string(), input: z.unknown() }, 'ToolStartedEvent'),
    event(
      'tool.completed',
      { tool_call_id: z.string(), name: z.string(), input: z.unknown(), output: z.string().meta({ description: 'At most 2000 characters' }), status: z.enum(['ok', 'error']) },
      'ToolCompletedEvent',
    ),
    event('file.changed', { path: z.string().meta({ description: 'Relative to ~/workspace/app when inside it' }), tool: z.string() }, 'FileChangedEvent'),
    event('usage', usageFields, 'UsageEvent'),
    event('task.completed', { status: z.literal('succeeded'), result: resultSchema }, 'TaskCompletedEvent'),
    event('task.failed', { status: z.enum(['failed', 'cancelled', 'timed_out']), reason: z.string(), result: resultSchema }, 'TaskFailedEvent'),
  ])
  .meta({
    id: 'TaskEvent',
    description: 'One event of a task, the `data` of one SSE message (its `id` is `seq`)',
    examples: [{ seq: 2, ts: '2025-01-01T12:00:05.000Z', type: 'agent.message', text: 'I will create index.html.', raw: { type: 'assistant' } }],
  });
