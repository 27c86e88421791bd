/**
 * `sandboxed shell` in a real pseudo-terminal (util-linux `script`): typed
 * keys reach the sandbox's shell, the terminal's size is the window's and
 * follows a resize (SIGWINCH), ^C reaches the remote foreground job, and the
 * local terminal is raw while attached and restored when the shell exits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandboxed } from '../../sdk/src/index.js';
import { CLI, emptyHome } from '../helpers/cli.js';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { startTerminal } from '../helpers/terminal-session.js';

const TOKEN = `t-${uniqueId()}`;
let d: TestDaemon;
let id: string;

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `cli:${TOKEN}` } });
  id = (await new Sandboxed({ url: d.url, token: TOKEN }).sandboxes.create({ id: uniqueId('shell') })).id;
});

afterAll(async () => {
  await d?.dispose();
});

const env = () => ({ PATH: process.env.PATH ?? '', HOME: emptyHome(), SANDBOXED_URL: d.url, SANDBOXED_TOKEN: TOKEN });
const PROMPT = /sandbox@[^\s]+:~\/workspace\/app\$ $/;

describe('sandboxed shell', () => {
  it('is a working terminal: keys, size, resize, ^C, raw mode, and the terminal restored with the shell’s exit status', async () => {
    const term = await startTerminal(`${process.execPath} ${CLI} shell ${id}; echo "EXIT=$?"; stty -a`, { cols: 100, rows: 30, env: env() });
    try {
      await term.waitFor(PROMPT);
      // On a terminal, the wait for the session shows a progress line (on stderr).
      expect(term.output()).toContain(`opening a terminal in ${id}`);
      // The local terminal is raw while attached: no local echo, no line editing, ^C is a byte.
      expect(term.modes()).toMatch(/(^|\s)-icanon(\s|$)/);
      expect(term.modes()).toMatch(/(^|\s)-isig(\s|$)/);
      // Output passes unchanged: the sandbox's terminal already turned "\n" into "\r\n".
      expect(term.modes()).toMatch(/(^|\s)-opost(\s|$)/);

      let from = term.output().length;
      term.type('stty size; echo "sum=$((6*7))"\r');
      await term.waitFor(/30 100\r\nsum=42\r\n/, from);

      term.resize(120, 40);
      from = term.output().length;
      // The new size reaches the sandbox's terminal (SIGWINCH → resize frame); ask until it has.
      await term.waitFor(PROMPT, from);
      const sized = async (): Promise<boolean> => {
        const at = term.output().length;
        term.type('stty size\r');
        await term.waitFor(/\b\d+ \d+\r\n/, at);
        return /\b40 120\r\n/.test(term.output().slice(at));
      };
      let resized = await sized();
      for (let i = 0; !resized && i < 20; i++) resized = await sized();
      expect(resized).toBe(true);

      from = term.output().length;
      term.type('sleep 600\r');
      await term.waitFor(/sleep 600\r\n/, from);
      term.type('\x03');
      await term.waitFor(PROMPT, from);
      // 130: the job ended by SIGINT, so the ^C reached the remote foreground job.
      term.type('echo "status=$?"\r');
      await term.waitFor(/status=130\r\n/, from);

      from = term.output().length;
      term.type('exit 3\r');
      await term.waitFor(/EXIT=3\r\n/, from);
      // After the shell, the local terminal has its line discipline back.
      const after = (await term.waitFor(/speed[\s\S]*?\r\n([\s\S]*)$/, from))[0];
      expect(after).toMatch(/(^|\s)icanon(\s|;|$)/);
      expect(after).toMatch(/(^|\s)echo(\s|;|$)/);
      expect(after).toMatch(/(^|\s)opost(\s|;|$)/);
      expect(await term.exited).toBe(0);
    } finally {
      term.kill();
    }
  });

  it('runs a command instead of the shell, and attaches again to a session that outlived its viewer', async () => {
    const client = new Sandboxed({ url: d.url, token: TOKEN });
    const term = await startTerminal(`${process.execPath} ${CLI} shell ${id} -- sh -c 'echo marker-$((40+2)); exec cat'`, { cols: 80, rows: 24, env: env() });
    let session: string;
    try {
      await term.waitFor(/marker-42/);
      session = (await client.sandbox(id).pty.list()).find((s) => s.cmd[0] === 'sh' && !s.exited)!.id;
      term.type('typed-before\r');
      await term.waitFor(/typed-before\r\ntyped-before\r\n/);
    } finally {
      term.kill();
    }
    const again = await startTerminal(`${process.execPath} ${CLI} shell ${id} --attach ${session}`, { cols: 80, rows: 24, env: env() });
    try {
      // The buffer is replayed: what the first viewer saw is there again.
      await again.waitFor(/marker-42[\s\S]*typed-before/);
      again.type('\x04');
      expect(await again.exited).toBe(0);
    } finally {
      again.kill();
    }
  });
});
