import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { connectRemote } from './hub-clients.ts';

describe('connectRemote', () => {
  let server: WebSocketServer | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('skips frames it cannot read and still gets its answer', async () => {
    // A hub (or something in its place) that sends garbage before the real answer.
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (ws) =>
      ws.on('message', (data) => {
        const { id } = JSON.parse(data.toString()) as { id: number };
        ws.send('this is not JSON');
        ws.send('null');
        ws.send(JSON.stringify({ id: null, result: { ok: false, error: { code: 'invalid-input', message: 'The request was not valid JSON.' } } }));
        ws.send(JSON.stringify({ id, result: { ok: true, value: [] } }));
      }),
    );
    await new Promise((resolve) => server!.once('listening', resolve));
    const client = await connectRemote((server.address() as AddressInfo).port, 'token');
    try {
      expect(await client.call('accounts.list', {})).toEqual({ ok: true, value: [] });
    } finally {
      client.close();
    }
  });
});
