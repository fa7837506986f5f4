'use strict';
// Node ws (version 8) peers for the real-* sample captures; record-real.sh
// runs them with NODE_PATH pointing at samples/real/node/node_modules.
//
//   node real-peer.js server ROLE PORT [HOST]
//   node real-peer.js client ROLE PORT [HOST]
//
// Server roles: deflate (permessage-deflate, threshold 0), nocontext (also
// server/client_no_context_takeover), plain (no extension), goaway (closes
// 1001 after the third message), large (answers a 4 MB binary message with a
// 3 MB text message, anything else with a short text), max64k (maxPayload 65536),
// max64kdeflate (the same with permessage-deflate, threshold 0; echoes),
// echo (permessage-deflate, threshold 0; echoes each message, says nothing first).
// Client roles: deflate, nocontext, plain (text, JSON and binary both ways,
// close 1000), fragments (fragmented messages with pings between the
// fragments, one of them compressed), topython (talks to a server that
// closes 1001), large (4 MB binary out, 3 MB text back), big2m (one
// 2 MiB text message to a server with a 1 MiB limit), nocode (one message,
// then close() with no code: a close frame with an empty payload).

const WebSocket = require('ws');

const [side, role, portArg, hostArg] = process.argv.slice(2);
const port = Number(portArg);
const host = hostArg || '127.0.0.1';
const url = host.includes(':') ? `ws://[${host}]:${port}/` : `ws://${host}:${port}/`;

function log(...a) {
  process.stderr.write(a.join(' ') + '\n');
}

function serverOptions(r) {
  const o = { host, port, perMessageDeflate: false };
  if (r === 'deflate' || r === 'echo') o.perMessageDeflate = { threshold: 0 };
  if (r === 'nocontext') {
    o.perMessageDeflate = {
      threshold: 0,
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
    };
  }
  if (r === 'max64k' || r === 'max64kdeflate') o.maxPayload = 65536;
  if (r === 'max64kdeflate') o.perMessageDeflate = { threshold: 0 };
  return o;
}

function runServer(r) {
  const wss = new WebSocket.Server(serverOptions(r), () => log('ready'));
  wss.on('connection', (ws) => {
    let n = 0;
    if (r === 'deflate' || r === 'nocontext' || r === 'plain') {
      ws.send(JSON.stringify({ type: 'hello', server: 'node-ws', mode: r }));
      ws.send(Buffer.from([0, 1, 2, 3, 250, 251, 252, 253]));
    }
    ws.on('message', (data, isBinary) => {
      n++;
      if (r === 'goaway') {
        ws.send(`node reply ${n}`);
        if (n === 3) ws.close(1001, 'node server going away');
      } else if (r === 'large') {
        if (isBinary && data.length >= 4000000) ws.send('t'.repeat(3000000));
        else ws.send(`got ${data.length} bytes`);
      } else {
        ws.send(data, { binary: isBinary });
      }
    });
    ws.on('close', (code, reason) => log('server saw close', code, reason.toString()));
    ws.on('error', (e) => log('server error', e.message));
  });
}

// Messages are queued from the moment the socket exists: the server's first
// messages can arrive in the same read as the 101 response, before the
// client's first await returns.
function queueMessages(ws) {
  ws.queue = [];
  ws.waiters = [];
  ws.on('message', (d, b) => {
    if (ws.waiters.length > 0) ws.waiters.shift()([d, b]);
    else ws.queue.push([d, b]);
  });
}

function nextMessage(ws) {
  if (ws.queue.length > 0) return Promise.resolve(ws.queue.shift());
  return new Promise((resolve) => ws.waiters.push(resolve));
}

function closed(ws) {
  return new Promise((resolve) => ws.once('close', (c, r) => resolve([c, r.toString()])));
}

function opened(ws) {
  return new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function clientExchange(ws) {
  await nextMessage(ws);
  await nextMessage(ws);
  const msgs = [
    ['hello from the node client', false],
    [JSON.stringify({ id: 1, op: 'subscribe', topics: ['a', 'b', 'c', 'a', 'b', 'c'] }), false],
    [Buffer.alloc(300, 0x5a), true],
    [JSON.stringify({ id: 2, op: 'subscribe', topics: ['a', 'b', 'c', 'a', 'b', 'c'] }), false],
    [Buffer.from('binary frame with some repeated content '.repeat(10)), true],
  ];
  for (const [m, b] of msgs) {
    ws.send(m, { binary: b });
    await nextMessage(ws);
  }
  ws.close(1000, 'bye');
  log('closed', ...(await closed(ws)));
}

async function clientFragments(ws) {
  const part = (s) => Buffer.from(s);
  ws.send(part('first fragment, '), { fin: false, binary: false, compress: false });
  ws.ping('between-1');
  ws.send(part('second fragment, '), { fin: false, binary: false, compress: false });
  ws.ping('between-2');
  ws.send(part('last fragment'), { fin: true, binary: false, compress: false });
  log('echo 1:', (await nextMessage(ws))[0].toString());
  ws.send(Buffer.alloc(100, 1), { fin: false, binary: true, compress: false });
  ws.ping();
  ws.send(Buffer.alloc(100, 2), { fin: true, binary: true, compress: false });
  log('echo 2 length:', (await nextMessage(ws))[0].length);
  // A compressed fragmented message: ws sets RSV1 on the first frame only.
  const chunk = 'compressible text '.repeat(40);
  ws.send(chunk, { fin: false, compress: true });
  ws.ping('inside-compressed');
  ws.send(chunk, { fin: false, compress: true });
  ws.send(chunk, { fin: true, compress: true });
  log('echo 3 length:', (await nextMessage(ws))[0].length);
  ws.close(1000);
  log('closed', ...(await closed(ws)));
}

async function clientToPython(ws) {
  const done = closed(ws);
  ws.send('hello python, from node');
  await nextMessage(ws);
  ws.send(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
  await nextMessage(ws);
  ws.send(JSON.stringify({ op: 'last' }));
  log('closed', ...(await done));
}

async function clientLarge(ws) {
  const bin = Buffer.alloc(4000000);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 13) & 0xff;
  ws.send(bin);
  const [d] = await nextMessage(ws);
  log('received', d.length);
  ws.close(1000);
  log('closed', ...(await closed(ws)));
}

async function clientBig2m(ws) {
  const done = closed(ws);
  ws.send('hello');
  await nextMessage(ws);
  ws.send('z'.repeat(2 * 1024 * 1024));
  log('closed', ...(await done));
}

async function clientNoCode(ws) {
  ws.send('one message, then a close frame without a code');
  await nextMessage(ws);
  ws.close();
  log('closed', ...(await closed(ws)));
}

async function runClient(r) {
  const opts = {};
  if (r === 'deflate' || r === 'nocontext' || r === 'fragments') opts.perMessageDeflate = { threshold: 0 };
  else opts.perMessageDeflate = false;
  const ws = new WebSocket(url, opts);
  queueMessages(ws);
  ws.on('error', (e) => log('client error', e.message));
  await opened(ws);
  log('extensions:', ws.extensions);
  if (r === 'fragments') await clientFragments(ws);
  else if (r === 'topython') await clientToPython(ws);
  else if (r === 'large') await clientLarge(ws);
  else if (r === 'big2m') await clientBig2m(ws);
  else if (r === 'nocode') await clientNoCode(ws);
  else await clientExchange(ws);
  await sleep(50);
}

if (side === 'server') runServer(role);
else runClient(role).catch((e) => { log('client failed', e.message); process.exit(1); });
