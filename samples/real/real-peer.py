#!/usr/bin/python3
# Python websockets (Debian python3-websockets 10.4) peers for the real-*
# sample captures.  Run with /usr/bin/python3; record-real.sh starts them.
#
#   real-peer.py server ROLE PORT [HOST]
#   real-peer.py client ROLE PORT [HOST]
#
# ROLE selects the behaviour of one sample:
#   deflate    echo server / client exchanging text, JSON, binary and a ping,
#              permessage-deflate negotiated (the default), client closes 1000
#   echo       echo server (default max_size 1 MiB); used by node clients
#   goaway     server answers each message, closes 1001 after the third
#   tonode     client for a node server that closes 1001
#   large      client (max_size=None, no compression) sending 2 MB binary
#   big200k    client (max_size=None) sending one 200 KB text message
#   many1009   24 clients at once, 30% with permessage-deflate, random
#              binary messages under 65536 bytes, six just over it
#   frag1009   client sending 60000 bytes (echoed), then 80000 bytes as two
#              40000-byte fragments and the empty final frame websockets
#              ends a fragmented message with
#   rst        client exchanging messages, then resetting the TCP connection
#              (SO_LINGER {1,0}) without a close frame
#   refuse     server refusing the upgrade with HTTP 403 (process_request)
#   small      short clean session (client closes 1000), any server role
#   fragments  client sending fragmented messages (async iterables) with
#              pings between the fragments, permessage-deflate offered
#   nocontext  server / client as deflate, permessage-deflate with
#              server_no_context_takeover and client_no_context_takeover

import asyncio
import http
import json
import random
import socket
import struct
import sys

import websockets
from websockets.extensions.permessage_deflate import (
	ClientPerMessageDeflateFactory, ServerPerMessageDeflateFactory)


def uri(host, port):
	if ":" in host:
		return "ws://[%s]:%d/" % (host, port)
	return "ws://%s:%d/" % (host, port)


async def echo_handler(ws, path=None):
	try:
		async for msg in ws:
			await ws.send(msg)
	except websockets.ConnectionClosed:
		pass


async def deflate_handler(ws, path=None):
	await ws.send(json.dumps({"type": "hello", "server": "python",
	    "features": ["deflate", "ping"]}))
	await ws.send(bytes(range(256)) * 4)
	async for msg in ws:
		await ws.send(msg)


async def goaway_handler(ws, path=None):
	n = 0
	async for msg in ws:
		n += 1
		if isinstance(msg, bytes):
			await ws.send(b"\x00\x01" + msg[::-1])
		else:
			await ws.send("reply %d: %s" % (n, msg))
		if n == 3:
			await ws.close(1001, "server going away")
			return


async def refuse_request(path, headers):
	return (http.HTTPStatus.FORBIDDEN, [("Content-Type", "text/plain")],
	    b"forbidden: no token\n")


async def run_server(role, port, host):
	kw = {}
	handler = echo_handler
	if role == "deflate":
		handler = deflate_handler
	elif role == "nocontext":
		handler = deflate_handler
		kw["compression"] = None
		kw["extensions"] = [ServerPerMessageDeflateFactory(
		    server_no_context_takeover=True,
		    client_no_context_takeover=True)]
	elif role == "goaway":
		handler = goaway_handler
	elif role == "refuse":
		kw["process_request"] = refuse_request
	async with websockets.serve(handler, host, port, **kw):
		print("ready", flush=True)
		await asyncio.Future()


async def client_deflate(url, **kw):
	async with websockets.connect(url, **kw) as ws:
		print("extensions:", ws.response_headers.get(
		    "Sec-WebSocket-Extensions"), file=sys.stderr)
		await ws.recv()
		await ws.recv()
		msgs = [
			"hello from the python client",
			json.dumps({"id": 1, "method": "subscribe",
			    "params": {"channel": "ticker", "symbols":
			    ["BTC", "ETH", "SOL", "BTC", "ETH", "SOL"]}}),
			b"\x00\x01\x02\x03binary payload\xff\xfe" * 20,
			json.dumps({"id": 2, "method": "subscribe",
			    "params": {"channel": "ticker", "symbols":
			    ["BTC", "ETH", "SOL", "BTC", "ETH", "SOL"]}}),
			"x" * 3000,
		]
		for m in msgs:
			await ws.send(m)
			await ws.recv()
		pong = await ws.ping(b"ping-1")
		await pong
		await ws.close(1000, "done")


async def client_nocontext(url):
	await client_deflate(url, compression=None,
	    extensions=[ClientPerMessageDeflateFactory(
	    server_no_context_takeover=True,
	    client_no_context_takeover=True)])


async def client_fragments(url):
	async with websockets.connect(url) as ws:
		async def text():
			yield "first fragment, "
			await ws.ping(b"between-1")
			yield "second fragment, "
			await ws.ping(b"between-2")
			yield "last fragment"

		async def binary():
			yield b"\x01" * 100
			await ws.ping()
			yield b"\x02" * 100

		await ws.send(text())
		print("echo 1:", await ws.recv(), file=sys.stderr)
		await ws.send(binary())
		print("echo 2 length:", len(await ws.recv()), file=sys.stderr)
		# A list is sent fragment after fragment, nothing between.
		await ws.send(["compressible text " * 40] * 3)
		print("echo 3 length:", len(await ws.recv()), file=sys.stderr)
		await ws.close(1000)


async def client_small(url):
	async with websockets.connect(url) as ws:
		await ws.send("small session: hello")
		await ws.recv()
		await ws.send(b"\x01\x02\x03\x04")
		await ws.recv()
		await ws.close(1000)


async def client_tonode(url):
	async with websockets.connect(url) as ws:
		await ws.send("hello node, from python")
		print(await ws.recv(), file=sys.stderr)
		await ws.send(b"\xde\xad\xbe\xef" * 8)
		print(await ws.recv(), file=sys.stderr)
		await ws.send(json.dumps({"op": "last"}))
		try:
			while True:
				print(await ws.recv(), file=sys.stderr)
		except websockets.ConnectionClosed as e:
			print("closed:", e.code, e.reason, file=sys.stderr)


async def client_large(url):
	async with websockets.connect(url, max_size=None,
	    compression=None) as ws:
		await ws.send(bytes((i * 7) & 0xff for i in range(2000000)))
		print("received", len(await ws.recv()), file=sys.stderr)
		await ws.close(1000)


async def client_big200k(url):
	async with websockets.connect(url, max_size=None) as ws:
		await ws.send("hello")
		print(await ws.recv(), file=sys.stderr)
		await ws.send("y" * 200000)
		try:
			while True:
				await ws.recv()
		except websockets.ConnectionClosed as e:
			print("closed:", e.code, e.reason, file=sys.stderr)


async def client_frag1009(url):
	# websockets sends a list fragment after fragment and ends the message
	# with an empty final frame.
	async with websockets.connect(url, max_size=None,
	    compression=None) as ws:
		await ws.send("hello")
		print(await ws.recv(), file=sys.stderr)
		await ws.send(b"\x05" * 60000)
		print("echo length:", len(await ws.recv()), file=sys.stderr)
		await ws.send([b"\x01" * 40000, b"\x02" * 40000])
		try:
			while True:
				await ws.recv()
		except websockets.ConnectionClosed as e:
			print("closed:", e.code, e.reason, file=sys.stderr)


async def client_many1009(url):
	# 24 connections at once to one server, 30% with permessage-deflate;
	# each sends one or two random (incompressible) binary messages, half
	# of them just under 65536 bytes, and six send one just over it: on
	# deflate connections that message is larger on the wire than inflated.
	rng = random.Random(1009)
	over = {1, 12, 21, 5, 17, 23}

	async def one(i):
		kw = {} if i % 10 < 3 else {"compression": None}
		async with websockets.connect(url, max_size=None, **kw) as ws:
			for _ in range(rng.randint(1, 2)):
				n = rng.randint(1000, 8000) if rng.random() < 0.5 \
				    else rng.randint(50000, 65400)
				await ws.send(rng.randbytes(n))
				await ws.recv()
			if i not in over:
				await ws.close(1000)
				return
			await ws.send(rng.randbytes(65536 + rng.randint(1, 200)))
			try:
				while True:
					await ws.recv()
			except websockets.ConnectionClosed as e:
				print(i, "closed:", e.code, e.reason, file=sys.stderr)

	await asyncio.gather(*(one(i) for i in range(24)))


async def client_rst(url):
	ws = await websockets.connect(url)
	await ws.send("message before reset 1")
	await ws.recv()
	await ws.send("message before reset 2")
	await ws.recv()
	sock = ws.transport.get_extra_info("socket")
	sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
	    struct.pack("ii", 1, 0))
	ws.transport.abort()
	await asyncio.sleep(0.2)


async def client_refused(url):
	try:
		async with websockets.connect(url) as ws:
			await ws.send("should not happen")
	except websockets.InvalidStatusCode as e:
		print("refused:", e.status_code, file=sys.stderr)


CLIENTS = {
	"deflate": client_deflate,
	"nocontext": client_nocontext,
	"fragments": client_fragments,
	"small": client_small,
	"tonode": client_tonode,
	"large": client_large,
	"big200k": client_big200k,
	"frag1009": client_frag1009,
	"many1009": client_many1009,
	"rst": client_rst,
	"refuse": client_refused,
}


def main():
	if len(sys.argv) < 4:
		sys.exit("usage: real-peer.py server|client ROLE PORT [HOST]")
	side, role, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
	host = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
	if side == "server":
		asyncio.run(run_server(role, port, host))
	else:
		asyncio.run(CLIENTS[role](uri(host, port)))


if __name__ == "__main__":
	main()
