// proto-peer.js: a real server and a real client of one sub-protocol over
// WebSocket, in one process, on 127.0.0.1 (see record-proto.sh).
//
//   node proto-peer.js socketio|stomp|graphql|jsonrpc|mqtt|mqtt-split PORT FIELDS
//
// FIELDS gets, line by line, what each side was told to send, as
// "DIRECTION<TAB>ERE": the summary that `wsautopsy messages --proto`
// must show for it, in that direction's order (record-proto.sh). Values
// the library picks itself (ack and operation ids, Engine.IO sids) are
// patterns, not guesses.
'use strict';

const fs = require('fs');

const [kind, portArg, fieldsPath] = process.argv.slice(2);
const port = Number(portArg);
const fields = [];

// expect(direction, summary): summary is literal but for {N} (a number)
// and {ID} (a token of the library's choosing).
function expect(dir, summary) {
	const re = summary.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
		.replace(/\{N\}/g, '[0-9]+').replace(/\{ID\}/g, '[^ ]+');
	fields.push(`${dir}\t^${re}$`);
}

function done() {
	fs.writeFileSync(fieldsPath, fields.join('\n') + '\n');
	setTimeout(() => process.exit(0), 300);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function socketio() {
	const { Server } = require('socket.io');
	const { io } = require('socket.io-client');
	const server = new Server(port, { transports: ['websocket'] });
	server.of('/admin').on('connection', (sock) => {
		sock.on('order:update', (data, ack) => ack({ ok: true, id: data.id }));
		sock.on('upload', (buf, ack) => ack(buf.length));
	});
	server.on('connection', (sock) => {
		sock.on('hello', () => sock.emit('tick', { n: 1 }));
	});
	const opts = { transports: ['websocket'], reconnection: false };
	const root = io(`http://127.0.0.1:${port}/`, opts);
	const admin = io(`http://127.0.0.1:${port}/admin`, opts);
	await new Promise((r) => admin.on('connect', r));
	if (!root.connected)
		await new Promise((r) => root.on('connect', r));
	expect('server', 'engine.io open sid {ID} ping 25000');
	expect('client', 'socket.io connect');
	expect('server', 'socket.io connect');
	expect('client', 'socket.io connect ns /admin');
	expect('server', 'socket.io connect ns /admin');
	await admin.emitWithAck('order:update', { id: 12 });
	expect('client', 'socket.io event "order:update" ack {N} ns /admin');
	expect('server', 'socket.io ack {N} ns /admin');
	await admin.emitWithAck('upload', Buffer.from('0123456789'));
	expect('client',
	    'socket.io event "upload" ack {N} ns /admin attachments 1');
	expect('client', 'socket.io binary attachment 10 bytes');
	expect('server', 'socket.io ack {N} ns /admin');
	root.emit('hello');
	await new Promise((r) => root.on('tick', r));
	expect('client', 'socket.io event "hello"');
	expect('server', 'socket.io event "tick"');
	root.close();
	admin.close();
	await sleep(200);
	server.close();
	done();
}

async function stomp() {
	const http = require('http');
	const StompServer = require('stomp-broker-js');
	const { Client } = require('@stomp/stompjs');
	Object.assign(global, { WebSocket: require('ws') });
	const hs = http.createServer();
	const broker = new StompServer({ server: hs, path: '/stomp',
		heartbeat: [0, 0] });
	await new Promise((r) => hs.listen(port, '127.0.0.1', r));
	// The broker delivers to other sessions only: a subscriber, then a
	// publisher, each its own connection (the fields in that order).
	const open = async () => {
		const c = new Client({
			brokerURL: `ws://127.0.0.1:${port}/stomp`,
			heartbeatIncoming: 0, heartbeatOutgoing: 0,
			reconnectDelay: 0,
			debug: process.env.PEER_DEBUG ? console.error : () => {},
		});
		await new Promise((r) => { c.onConnect = r; c.activate(); });
		return c;
	};
	const sub = await open();
	const got = new Promise((r) => sub.subscribe('/queue/orders',
	    (m) => r(m), { id: 'sub-0' }));
	await sleep(100);
	const pub = await open();
	pub.publish({ destination: '/queue/orders', body: '{"order":12}' });
	await got;
	sub.unsubscribe('sub-0');
	await sleep(100);
	for (const c of [sub, pub]) {
		expect('client', 'stomp CONNECT accept-version:1.2,1.1,1.0');
		expect('server', 'stomp CONNECTED version:1.1');
		if (c === sub) {
			expect('client', 'stomp SUBSCRIBE /queue/orders id:sub-0');
			expect('server', 'stomp MESSAGE /queue/orders ' +
			    'subscription:sub-0 content-length:12');
			expect('client', 'stomp UNSUBSCRIBE id:sub-0');
		} else
			expect('client', 'stomp SEND /queue/orders ' +
			    'content-length:12');
		expect('client', 'stomp DISCONNECT receipt:{ID}');
		expect('server', 'stomp RECEIPT receipt-id:{ID}');
	}
	await Promise.race([Promise.all([sub.deactivate(), pub.deactivate()]),
	    sleep(1000)]);
	void broker;
	hs.close();
	done();
}

async function graphql() {
	const { WebSocketServer } = require('ws');
	const WebSocket = require('ws');
	const { useServer } = require('graphql-ws/lib/use/ws');
	const { createClient } = require('graphql-ws');
	const g = require('graphql');
	const Order = new g.GraphQLObjectType({ name: 'Order', fields: {
		id: { type: g.GraphQLInt }, state: { type: g.GraphQLString } } });
	const schema = new g.GraphQLSchema({
		query: new g.GraphQLObjectType({ name: 'Query', fields: {
			hello: { type: g.GraphQLString, resolve: () => 'world' } } }),
		subscription: new g.GraphQLObjectType({ name: 'Subscription',
		    fields: { orders: { type: Order,
			subscribe: async function* () {
				for (let i = 1; i <= 2; i++)
					yield { orders: { id: i, state: 'new' } };
			} } } }),
	});
	const wss = new WebSocketServer({ port, host: '127.0.0.1',
	    path: '/graphql' });
	useServer({ schema }, wss);
	const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`,
	    webSocketImpl: WebSocket, lazy: false, keepAlive: 150 });
	await new Promise((r) => client.on('connected', r));
	expect('client', 'graphql-transport-ws connection_init');
	expect('server', 'graphql-transport-ws connection_ack');
	await new Promise((resolve, reject) => client.subscribe(
	    { query: 'subscription OnOrder { orders { id state } }',
	      operationName: 'OnOrder' },
	    { next: () => {}, error: reject, complete: resolve }));
	expect('client', 'graphql-transport-ws subscribe id {ID} op "OnOrder"');
	expect('server', 'graphql-transport-ws next id {ID}');
	expect('server', 'graphql-transport-ws next id {ID}');
	expect('server', 'graphql-transport-ws complete id {ID}');
	await new Promise((r) => client.on('pong', r));
	expect('client', 'graphql-transport-ws ping');
	expect('server', 'graphql-transport-ws pong');
	await client.dispose();
	wss.close();
	done();
}

async function jsonrpc() {
	const { Server, Client } = require('rpc-websockets');
	const server = new Server({ port, host: '127.0.0.1' });
	server.register('sum', (params) => params[0] + params[1]);
	server.register('fail', () => { throw new Error('nope'); });
	server.event('tick');
	const client = new Client(`ws://127.0.0.1:${port}`,
	    { autoconnect: true, reconnect: false });
	await new Promise((r) => client.on('open', r));
	await client.call('sum', [2, 3]);
	expect('client', 'json-rpc call "sum" id {N}');
	expect('server', 'json-rpc result id {N}');
	await client.call('fail', []).catch(() => {});
	expect('client', 'json-rpc call "fail" id {N}');
	expect('server', 'json-rpc error -32000 id {N}');
	await client.call('nosuch', []).catch(() => {});
	expect('client', 'json-rpc call "nosuch" id {N}');
	expect('server', 'json-rpc error -32601 id {N}');
	client.notify('sum', [1, 1]);
	expect('client', 'json-rpc notification "sum"');
	await sleep(100);
	client.close();
	await sleep(100);
	await server.close();
	done();
}

async function mqtt() {
	const m = require('mqtt');
	// The browser's path (a WebSocket, writes gathered per packet): on
	// Node's stream path the client writes a packet in several messages.
	Object.assign(global, { WebSocket: require('ws') });
	const client = m.connect(`ws://127.0.0.1:${port}`, {
		clientId: 'wsa-proto', keepalive: 30, protocolVersion: 4,
		reconnectPeriod: 0, forceNativeWebSocket: true });
	await new Promise((r, j) => { client.on('connect', r);
		client.on('error', j); });
	expect('client', 'mqtt CONNECT v3.1.1 client "wsa-proto" keepalive 30');
	expect('server', 'mqtt CONNACK rc 0');
	await client.subscribeAsync('orders/#', { qos: 2 });
	expect('client', 'mqtt SUBSCRIBE id {N} topic "orders/#" qos 2');
	expect('server', 'mqtt SUBACK id {N}');
	for (const qos of [0, 1, 2]) {
		const got = new Promise((r) => client.once('message', r));
		await client.publishAsync(`orders/q${qos}`, `qos ${qos}`,
		    { qos });
		await got;
		const id = qos > 0 ? ' id {N}' : '';
		expect('client', `mqtt PUBLISH topic "orders/q${qos}" qos ${qos}${id}`);
		// The broker delivers it back at the QoS of the subscription (2)
		// or of the message, the lower.
		expect('server', `mqtt PUBLISH topic "orders/q${qos}" qos ${qos}${id}`);
	}
	await client.endAsync();
	expect('client', 'mqtt DISCONNECT');
	done();
}

// Node's stream path of the same client (no native WebSocket): it writes
// a packet's parts on their own, a WebSocket message each, so a packet
// spans messages; the big PUBLISH is larger than any one of them.
async function mqttSplit() {
	const m = require('mqtt');
	const client = m.connect(`ws://127.0.0.1:${port}`, {
		clientId: 'wsa-split', keepalive: 45, protocolVersion: 4,
		reconnectPeriod: 0 });
	await new Promise((r, j) => { client.on('connect', r);
		client.on('error', j); });
	// A packet told to the client is read where its last byte arrives.
	const more = ' (continued from message {N})';
	expect('client', 'mqtt CONNECT v3.1.1 client "wsa-split" keepalive 45' + more);
	expect('server', 'mqtt CONNACK rc 0');
	await client.subscribeAsync('split/#', { qos: 1 });
	expect('client', 'mqtt SUBSCRIBE id {N} topic "split/#" qos 1' + more);
	expect('server', 'mqtt SUBACK id {N}');
	const sizes = { 'split/small': 5, 'split/big': 40000 };
	for (const [qos, topic] of [[0, 'split/small'], [1, 'split/big'],
	    [1, 'split/small']]) {
		const got = new Promise((r) => client.once('message', r));
		await client.publishAsync(topic, Buffer.alloc(sizes[topic], 0x61),
		    { qos });
		await got;
		const id = qos > 0 ? ' id {N}' : '';
		expect('client', `mqtt PUBLISH topic "${topic}" qos ${qos}${id}` + more);
		expect('server', `mqtt PUBLISH topic "${topic}" qos ${qos}${id}`);
		if (qos > 0) {
			// The broker acknowledges after it delivered; the
			// client acknowledges the delivery.
			expect('server', 'mqtt PUBACK id {N}');
			expect('client', 'mqtt PUBACK id {N}' + more);
		}
	}
	await client.endAsync();
	expect('client', 'mqtt DISCONNECT' + more);
	done();
}

({ socketio, stomp, graphql, jsonrpc, mqtt, 'mqtt-split': mqttSplit })[kind]().catch((e) => {
	console.error(e);
	process.exit(1);
});
