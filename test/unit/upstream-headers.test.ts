/** What crosses the edge's hop to the app: end-to-end headers only, both ways. */
import { describe, expect, it } from 'vitest';
import { endToEndHeaders } from '../../src/edge/upstream-client.js';

describe('endToEndHeaders', () => {
  it('drops hop-by-hop headers and those Connection names, keeps the rest as they are', () => {
    expect(
      endToEndHeaders({
        host: 's-a-3000.preview.localhost',
        connection: 'keep-alive, X-Secret-Hop',
        'keep-alive': 'timeout=5',
        'x-secret-hop': '1',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'h2c',
        expect: '100-continue',
        'proxy-connection': 'keep-alive',
        cookie: 'a=1',
        'set-cookie': ['a=1', 'b=2'],
        'x-forwarded-for': '127.0.0.1',
      }),
    ).toEqual({ host: 's-a-3000.preview.localhost', cookie: 'a=1', 'set-cookie': ['a=1', 'b=2'], 'x-forwarded-for': '127.0.0.1' });
  });
});
