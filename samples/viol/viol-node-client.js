// Node ws client for the raw-server violation samples.
// usage: node viol-node-client.js PORT
'use strict';
const path = require('path');
const WebSocket = require(path.join(__dirname, '..', 'real', 'node',
    'node_modules', 'ws'));

const ws = new WebSocket('ws://127.0.0.1:' + process.argv[2] + '/');
ws.on('open', () => console.error('client open'));
ws.on('message', (d) => console.error('client message:', d.toString()));
ws.on('error', (err) => console.error('client error:', err.message));
ws.on('close', (code, reason) =>
	console.error('client close:', code, JSON.stringify(reason.toString())));
