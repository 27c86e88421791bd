/** The SDK's SSE reader: events however the bytes are cut, comments and heartbeats skipped, CRLF and CR line ends. */
import { describe, expect, it } from 'vitest';
import { readSse, type SseMessage } from '../../sdk/src/sse.js';

function body(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(ctl) {
      for (const c of chunks) ctl.enqueue(c);
      ctl.close();
    },
  });
}

async function all(chunks: (string | Uint8Array)[]): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of readSse(body(chunks.map((c) => (typeof c === 'string' ? new TextEncoder().encode(c) : c))))) out.push(m);
  return out;
}

const STREAM = ': stream open\n\nid: 1\ndata: {"a":"é"}\n\n: heartbeat\n\nevent: stdout\ndata: line one\ndata: line two\n\nid: 2\nevent: exit\ndata:{"code":0}\n\n';
const EXPECTED: SseMessage[] = [
  { id: '1', event: 'message', data: '{"a":"é"}' },
  { id: '1', event: 'stdout', data: 'line one\nline two' },
  { id: '2', event: 'exit', data: '{"code":0}' },
];

describe('readSse', () => {
  it('reads whole events, with the last id, the event name and multi-line data', async () => {
    expect(await all([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events whatever the chunk boundaries (inside a UTF-8 character too)', async () => {
    const bytes = new TextEncoder().encode(STREAM);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await all([bytes.slice(0, cut), bytes.slice(cut)]), `cut at byte ${cut}`).toEqual(EXPECTED);
    }
  });

  it('takes CRLF and CR line ends, a CRLF split between chunks included', async () => {
    expect(await all(['data: a\r', '\n\r\ndata: b\r\r'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });

  it('drops an event the stream ended in the middle of', async () => {
    expect(await all(['data: complete\n\ndata: cut'])).toEqual([{ event: 'message', data: 'complete' }]);
  });
});
