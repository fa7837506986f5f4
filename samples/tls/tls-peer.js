'use strict';
// Node https + ws (version 8) server for the tls-* sample captures;
// record-tls.sh runs it as `node --tls-keylog=KEYS tls-peer.js ...` with
// NODE_PATH pointing at samples/real/node/node_modules.
//
//   node tls-peer.js ROLE PORT CERT KEY
//
// Roles: echo (echoes every message, no extension), max64k (the same with
// maxPayload 65536: a larger message is closed with 1009). Each server
// greets with a text and a binary message and sends two more on a timer,
// so both directions carry several messages.

const fs = require('fs');
const https = require('https');
const WebSocket = require('ws');

const [role, portArg, cert, key] = process.argv.slice(2);
const port = Number(portArg);

function log(...a) {
  process.stderr.write(a.join(' ') + '\n');
}

const server = https.createServer({
  cert: fs.readFileSync(cert),
  key: fs.readFileSync(key),
});
const opts = { server, perMessageDeflate: false };
if (role === 'max64k') opts.maxPayload = 65536;
const wss = new WebSocket.Server(opts);

wss.on('connection', (ws) => {
  ws.send(JSON.stringify({ type: 'hello', server: 'node-ws-tls', role }));
  ws.send(Buffer.alloc(3000, 7));
  // Server-initiated burst: several small records queued at once.
  setTimeout(() => {
    for (let i = 0; i < 8; i++) ws.send(`tick ${i} ` + 'x'.repeat(40 * i));
  }, 50);
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('close', (code) => log('closed', code));
  ws.on('error', (e) => log('error', e.message));
});

server.listen(port, '127.0.0.1', () => log('ready'));
