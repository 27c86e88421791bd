/**
 * The live view of an agent task's events: one readable line per step (the
 * agent's words, each tool call with what it touched, changed files), then a
 * summary. Pure: takes an event, returns the lines to print.
 */
import type { TaskEvent } from '@sandboxed/sdk';
import { bold, cyan, dim, green, red, yellow } from './output.js';

const WIDTH = 120;

function short(text: string, width = WIDTH): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > width ? `${one.slice(0, width - 1)}…` : one;
}

/** What a tool call is about, from its input: a path, a command, a pattern. */
function subject(input: unknown): string {
  if (input === null || typeof input !== 'object') return '';
  const i = input as Record<string, unknown>;
  for (const key of ['file_path', 'filePath', 'path', 'command', 'cmd', 'pattern', 'url', 'description']) {
    if (typeof i[key] === 'string') return short(i[key], 80);
  }
  return '';
}

export class TaskView {
  private input = 0;
  private output = 0;
  private cost = 0;
  private readonly files = new Set<string>();
  private readonly started = Date.now();

  constructor(private readonly stream: NodeJS.WriteStream = process.stdout) {}

  /** The lines one event shows (none for the ones folded into others or the summary). */
  render(ev: TaskEvent): string[] {
    const s = this.stream;
    switch (ev.type) {
      case 'task.started':
        return [`${cyan('▶', s)} ${bold(ev.agent, s)}${ev.model ? dim(` (${ev.model})`, s) : ''} started`];
      case 'agent.message':
        return ev.text.trim() === '' ? [] : ev.text.trim().split('\n').map((l) => `  ${short(l)}`);
      case 'tool.started':
        return [dim(`  → ${ev.name} ${subject(ev.input)}`.trimEnd(), s)];
      case 'tool.completed':
        return ev.status === 'ok' ? [] : [`  ${red('✗', s)} ${ev.name} ${subject(ev.input)}: ${short(ev.output, 100)}`];
      case 'file.changed':
        this.files.add(ev.path);
        return [`  ${yellow('~', s)} ${ev.path}`];
      case 'usage':
        this.input += ev.input_tokens;
        this.output += ev.output_tokens;
        this.cost += ev.cost_usd;
        return [];
      case 'task.completed':
        return [`${green('✔', s)} succeeded ${this.summary()}`];
      case 'task.failed':
        return [`${red('✖', s)} ${ev.status.replace('_', ' ')}: ${short(ev.reason, 200)} ${this.summary()}`.trimEnd()];
      default:
        return [];
    }
  }

  private summary(): string {
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    const parts = [`${this.files.size} file${this.files.size === 1 ? '' : 's'} changed`, `${this.input} in / ${this.output} out tokens`];
    if (this.cost > 0) parts.push(`$${this.cost.toFixed(4)}`);
    return dim(`(${secs}s; ${parts.join(', ')})`, this.stream);
  }
}
