/**
 * The devices of the WebSocket fan-out benchmark: one process holding every till's live socket, so that the
 * server's memory is the server's. Input (env): URL (the instance the tills connect to), TOKENS (a JSON file
 * {tokens: [{storeId, token}]}), CONCURRENCY (sockets being opened at once). Prints `open <n> <failed>` once every socket is
 * up; then, for every `payment.updated` event frame, the time from the event's commit on the server (`at`) to
 * its arrival here, and the arrival time per payment. On `report` (stdin) it prints `report <json>` with the latencies and exits.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const url = process.env.URL!.replace(/^http/, 'ws');
const { tokens } = JSON.parse(readFileSync(process.env.TOKENS!, 'utf8')) as {
  tokens: { storeId: string; token: string }[];
};
const concurrency = Number(process.env.CONCURRENCY ?? 200);

const latencies: number[] = [];
/** [payment id, arrival ms] per event frame, so the sender can measure from its webhook's answer. */
const received: [string, number][] = [];
let failed = 0;
let closedEarly = 0;
const sockets: WebSocket[] = [];

function open(token: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}/v1/sync/live?cursor=0`, { headers: { authorization: `Bearer ${token}` } });
    let up = false;
    ws.on('message', (data) => {
      const text = String(data);
      if (!up) {
        up = true;
        resolve();
        return;
      }
      // Only the commit time is read: parsing every frame in full would measure this process, not the server.
      const now = Date.now();
      const at = /"at":(\d+)/.exec(text);
      const id = /"payment_id":"([^"]+)"/.exec(text);
      if (at && id) {
        latencies.push(now - Number(at[1]));
        received.push([id[1]!, now]);
      }
    });
    ws.on('error', () => {
      if (!up) {
        failed++;
        up = true;
        resolve();
      }
    });
    ws.on('close', () => {
      if (up) closedEarly++;
    });
    sockets.push(ws);
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < tokens.length) await open(tokens[next++]!.token);
  }),
);
process.stdout.write(`open ${tokens.length - failed} ${failed}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'count') process.stdout.write(`count ${latencies.length}\n`);
  if (line === 'report') {
    for (const ws of sockets) ws.terminate();
    // A pipe is written asynchronously: exit only once the whole (large) line is out.
    process.stdout.write(`report ${JSON.stringify({ latencies, received, failed, closedEarly })}\n`, () =>
      process.exit(0),
    );
  }
});
