// psdata's Lantern worker: one JSON request per line on stdin, one JSON response per line
// on stdout, in order. Started by psdata.engines.lab.lantern with the Node that ships with the
// playwright package; psdata's own code (MIT).
//
//   request:  {"id": 1, "op": "simulate", "request": {...glue.simulate's argument...}}
//             {"id": 2, "op": "savings", "request": {...glue.savings's argument...}}
//             {"id": 3, "op": "ping"}
//   response: {"id": 1, "ok": true, "result": {...}, "cpuMs": 12.3, "wallMs": 15.0}
//             {"id": 1, "ok": false, "error": "TypeError: ..."}

import {createInterface} from 'node:readline';
import {cpuUsage} from 'node:process';

import {savings, simulate} from './glue.mjs';

const VERSION = {lantern: '@paulirish/trace_engine 0.0.32', node: process.version};

// stdout carries the replies only: anything else written there is taken for a broken
// worker. Lantern's debugging helpers log; send them to stderr.
console.log = console.info = console.debug = console.error;

function handle(message) {
  switch (message.op) {
    case 'ping':
      return VERSION;
    case 'simulate':
      return simulate(message.request);
    case 'savings':
      return savings(message.request);
    default:
      throw new Error(`unknown op ${message.op}`);
  }
}

const lines = createInterface({input: process.stdin, crlfDelay: Infinity});
lines.on('line', line => {
  if (!line.trim()) return;
  let id = null;
  let reply;
  const cpu = cpuUsage();
  const started = performance.now();
  try {
    const message = JSON.parse(line);
    id = message.id ?? null;
    const result = handle(message);
    const used = cpuUsage(cpu);
    reply = {
      id,
      ok: true,
      result,
      cpuMs: (used.user + used.system) / 1000,
      wallMs: performance.now() - started,
    };
  } catch (err) {
    reply = {id, ok: false, error: `${err?.name}: ${err?.message}`};
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
});
lines.on('close', () => process.exit(0));
