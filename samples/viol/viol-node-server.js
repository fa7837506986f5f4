// Echo server on Node ws for the violation samples.
// usage: node viol-node-server.js PORT MAXPAYLOAD DEFLATE(0|1) READYFILE
'use strict';
const fs = require('fs');
const path = require('path');
const { WebSocketServer } = require(path.join(__dirname, '..', 'real', 'node',
    'node_modules', 'ws'));

const port = Number(process.argv[2]);
const maxPayload = Number(process.argv[3]);
const deflate = process.argv[4] === '1';
const ready = process.argv[5];

const wss = new WebSocketServer({
	host: '127.0.0.1',
	port,
	maxPayload,
	perMessageDeflate: deflate ? { threshold: 0 } : false
});
wss.on('listening', () => fs.writeFileSync(ready, 'ready\n'));
wss.on('connection', (ws) => {
	ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
	ws.on('error', (err) => console.error('server error:', err.message));
	ws.on('close', (code, reason) => {
		console.error('server close:', code, JSON.stringify(reason.toString()));
		wss.close();
	});
});
