'use strict';
// tls-node-server.js PORT CERT KEY: a Node https + ws echo server, TLS 1.2
// at most (record-tls-core.sh runs it with NODE_PATH pointing at
// samples/real/node/node_modules). Its OpenSSL answers a record it cannot
// authenticate with a fatal alert, as Python's asyncio server does not.
const https = require('https');
const fs = require('fs');
const WebSocket = require('ws');

const [port, cert, key] = process.argv.slice(2);
const srv = https.createServer({
  cert: fs.readFileSync(cert), key: fs.readFileSync(key), maxVersion: 'TLSv1.2',
});
const wss = new WebSocket.Server({ server: srv });
wss.on('connection', (ws) => ws.on('message', (m, b) => ws.send(m, { binary: b })));
srv.listen(Number(port), '127.0.0.1', () => console.log('ready'));
