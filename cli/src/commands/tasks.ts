/** task run (with a live view), ls, events, cancel, undo. */
import type { Task, TaskEvent } from '@sandboxed/sdk';
import { Option, type Command } from 'commander';
import { context } from '../context.js';
import { collect, integer, keyValues, note, printJson, printTable, withProgress } from '../output.js';
import { TaskView } from '../task-view.js';

/** Prints the events (JSON lines with --json) until the task ends; the exit status says whether it succeeded. */
async function follow(task: Task, json: boolean): Promise<void> {
  const view = new TaskView();
  let last: TaskEvent | undefined;
  for await (const ev of task.events()) {
    last = ev;
    if (json) process.stdout.write(`${JSON.stringify(ev)}\n`);
    else for (const line of view.render(ev)) process.stdout.write(`${line}\n`);
  }
  process.exitCode = last?.type === 'task.completed' ? 0 : 1;
}

export function taskCommands(program: Command): void {
  const task = program.command('task').description('coding agents in a sandbox');

  task
    .command('run')
    .description('start an agent; with -f, follow what it does until it ends')
    .argument('<id>', 'the sandbox')
    .addOption(new Option('--agent <agent>', 'the agent').choices(['opencode', 'claude-code']).makeOptionMandatory())
    .requiredOption('--prompt <text>', 'what to do')
    .option('--model <model>', 'opencode: provider/model; claude-code: a Claude model')
    .option('--base-url <url>', 'an OpenAI-compatible (opencode) or Anthropic (claude-code) endpoint')
    .option('-e, --env <KEY=VALUE>', 'a variable for the agent, e.g. ANTHROPIC_API_KEY=… (repeatable; never stored)', collect)
    .option('--timeout <seconds>', 'stop the agent after this long', integer('--timeout'))
    .option('--continue-from <task>', 'resume that task’s session with this prompt')
    .option('--no-checkpoint', 'take no snapshot before the agent starts (no undo)')
    .option('-f, --follow', 'follow the events until the task ends (exit 0 when it succeeded)')
    .action(async (id: string, o: Record<string, unknown>, cmd: Command) => {
      const { client, json } = context(cmd);
      const handle = client.sandbox(id).tasks.run({
        agent: o.agent as 'opencode' | 'claude-code',
        prompt: o.prompt as string,
        model: o.model as string | undefined,
        base_url: o.baseUrl as string | undefined,
        env: keyValues(o.env as string[] | undefined, '--env'),
        timeout_s: o.timeout as number | undefined,
        continue_from: o.continueFrom as string | undefined,
        checkpoint: o.checkpoint === false ? false : undefined,
      });
      const started = await withProgress('starting the agent', () => handle.started);
      if (!o.follow) return json ? printJson(started) : void process.stdout.write(`${started.id}\n`);
      if (!json) note(`task ${started.id}`);
      await follow(handle, json);
    });

  task
    .command('ls')
    .description("a sandbox's tasks")
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      const { client, json } = context(cmd);
      const tasks = await client.sandbox(id).tasks.list();
      if (json) return printJson({ tasks, count: tasks.length });
      if (tasks.length === 0) return note('no tasks');
      printTable(
        ['TASK', 'AGENT', 'STATUS', 'CREATED', 'PROMPT'],
        tasks.map((t) => [t.id, t.agent, t.status, t.created_at, t.prompt.replace(/\s+/g, ' ').slice(0, 50)]),
      );
    });

  task
    .command('events')
    .description("follow a task's events (replayed from the start) until it ends")
    .argument('<id>')
    .argument('<task>')
    .action(async (id: string, taskId: string, _o, cmd: Command) => {
      const { client, json } = context(cmd);
      await follow(client.sandbox(id).tasks.get(taskId), json);
    });

  task
    .command('cancel')
    .description('stop the agent')
    .argument('<id>')
    .argument('<task>')
    .action(async (id: string, taskId: string, _o, cmd: Command) => {
      const { client, json } = context(cmd);
      const t = await withProgress('cancelling', () => client.sandbox(id).tasks.get(taskId).cancel());
      if (json) printJson(t);
      else process.stdout.write(`${t.id} ${t.status}\n`);
    });

  task
    .command('undo')
    .description('put the workspace back as it was before the task (--force: even after a later task)')
    .argument('<id>')
    .argument('<task>')
    .option('--force', 'undo even though a later task ran')
    .action(async (id: string, taskId: string, o: { force?: boolean }, cmd: Command) => {
      const { client, json } = context(cmd);
      const r = await withProgress('restoring the checkpoint', () => client.sandbox(id).tasks.get(taskId).undo({ force: o.force }));
      if (json) printJson(r);
      else process.stdout.write(`${id} is back before task ${taskId} (what it replaced is snapshot ${r.saved_as.id})\n`);
    });
}
