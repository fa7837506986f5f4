#!/usr/bin/python3
"""Clients for the tls-* sample captures (record-tls.sh runs them).

  tls-peer.py ROLE PORT KEYS [COUNT]

Every client connects to wss://127.0.0.1:PORT/ with TLS certificate checks
off, writes its TLS secrets to KEYS (ssl.SSLContext.keylog_filename) and
advertises a TCP MSS of 1400 so that a TLS record (up to 16 KiB) spans
several TCP segments.
Roles:
  chat   python websockets 10.4: text, binary and JSON messages of 10 B to
         90 KB both ways (the server echoes), bursts of small messages (several
         records in one segment), close 1000 "done"
  big    chat's first messages, then a 100000-byte binary message to a
         server with maxPayload 65536 (which closes 1009)
  many   COUNT chat connections one after the other
  raw1002  a raw TLS client (python ssl over a socket): the WebSocket
         handshake, a text frame, then a frame with reserved opcode 3; reads
         until the server closes
"""
import asyncio
import base64
import os
import socket
import ssl
import sys

import websockets


def context(keys):
	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
	ctx.check_hostname = False
	ctx.verify_mode = ssl.CERT_NONE
	ctx.keylog_filename = keys
	return ctx


def small_mss_socket(port):
	s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1400)
	s.connect(("127.0.0.1", port))
	return s


async def talk(ws, big):
	await ws.recv()
	await ws.recv()
	await ws.send("hello over TLS")
	await ws.recv()
	await ws.send(os.urandom(20000))
	await ws.recv()
	await ws.send('{"type": "json", "items": [%s]}' %
	    ", ".join(str(i) for i in range(3000)))
	await ws.recv()
	# A burst: many small frames written back to back.
	await asyncio.gather(*(ws.send("burst %d" % i) for i in range(12)))
	for _ in range(12):
		await ws.recv()
	await ws.send(b"\x00" * 90000 if not big else os.urandom(40000))
	await ws.recv()
	if big:
		await ws.send(os.urandom(100000))
		try:
			while True:
				await ws.recv()
		except websockets.ConnectionClosed:
			pass
		return
	await ws.close(1000, "done")


async def chat(port, keys, big=False):
	ctx = context(keys)
	sock = small_mss_socket(port)
	async with websockets.connect(
	    "wss://127.0.0.1:%d/" % port, ssl=ctx, sock=sock,
	    server_hostname="localhost", compression=None,
	    max_size=None) as ws:
		# The server's timed burst arrives among the first answers.
		await asyncio.sleep(0.2)
		await talk(ws, big)


def raw1002(port, keys):
	ctx = context(keys)
	s = ctx.wrap_socket(small_mss_socket(port), server_hostname="localhost")
	key = base64.b64encode(os.urandom(16)).decode()
	s.sendall(("GET / HTTP/1.1\r\nHost: localhost:%d\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" %
	    (port, key)).encode())
	buf = b""
	while b"\r\n\r\n" not in buf:
		buf += s.recv(4096)

	def frame(op, payload):
		mask = os.urandom(4)
		body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
		return bytes([0x80 | op, 0x80 | len(payload)]) + mask + body

	s.sendall(frame(1, b"hello before the bad frame"))
	s.sendall(frame(3, b"reserved opcode 3"))
	s.settimeout(3)
	try:
		while s.recv(4096):
			pass
	except (OSError, ssl.SSLError):
		pass
	s.close()


def main():
	role, port, keys = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	if role == "chat":
		asyncio.run(chat(port, keys))
	elif role == "big":
		asyncio.run(chat(port, keys, big=True))
	elif role == "many":
		for _ in range(int(sys.argv[4])):
			asyncio.run(chat(port, keys))
	elif role == "raw1002":
		raw1002(port, keys)
	else:
		sys.exit("tls-peer.py: unknown role " + role)


if __name__ == "__main__":
	main()
