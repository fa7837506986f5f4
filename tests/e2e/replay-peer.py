#!/usr/bin/python3
# Servers for replay.sh, on a loopback port of their own choosing, which
# they write to PORTFILE once they listen:
#   replay-peer.py ws MAX_SIZE PORTFILE    websockets echo server (no
#                                          compression), max_size MAX_SIZE
#   replay-peer.py ws6 MAX_SIZE PORTFILE   the same on ::1
#   replay-peer.py wss MAX_SIZE CERT KEY PORTFILE
#                                          the same through TLS, with the
#                                          certificate and key (PEM) given
#   replay-peer.py ws-deflate MAX_SIZE PORTFILE
#                                          the same with its default
#                                          permessage-deflate (window bits
#                                          12 each way)
#   replay-peer.py tornado MAX_SIZE PORTFILE
#                                          Tornado echo server, its
#                                          websocket_max_message_size
#                                          MAX_SIZE (a 1009 past it), no
#                                          compression
#   replay-peer.py tornado-deflate MAX_SIZE PORTFILE
#                                          the same with permessage-deflate
#                                          (get_compression_options)
#   replay-peer.py http PORTFILE           http.server: 404 for any path
#   replay-peer.py hostile KIND PORTFILE   raw sockets: with KIND escapes,
#                                          a 403 whose status line and
#                                          headers carry terminal escapes;
#                                          with flood, a good 101, then
#                                          pings without end and a frame
#                                          claiming 2^63-1 bytes
import asyncio
import base64
import hashlib
import http.server
import importlib.util
import os
import sys


def say_port(path, port):
	with open(path + ".tmp", "w") as f:
		f.write("%d\n" % port)
	os.rename(path + ".tmp", path)


def real_peer():
	"""The sample peers' module: its echo handler is the one used here."""
	path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
	    "..", "samples", "real", "real-peer.py")
	spec = importlib.util.spec_from_file_location("real_peer", path)
	mod = importlib.util.module_from_spec(spec)
	spec.loader.exec_module(mod)
	return mod


async def ws_main(max_size, portfile, host="127.0.0.1", tls=None,
    compression=None):
	import websockets
	async with websockets.serve(real_peer().echo_handler, host, 0,
	    max_size=max_size, compression=compression, ssl=tls) as srv:
		say_port(portfile, srv.sockets[0].getsockname()[1])
		await asyncio.Future()


def tornado_main(max_size, portfile, deflate):
	import socket
	import tornado.httpserver
	import tornado.ioloop
	import tornado.web
	import tornado.websocket

	class Echo(tornado.websocket.WebSocketHandler):
		def get_compression_options(self):
			return {} if deflate else None

		def on_message(self, msg):
			self.write_message(msg, binary=isinstance(msg, bytes))

	app = tornado.web.Application([(r"/.*", Echo)],
	    websocket_max_message_size=max_size)
	sock = socket.socket()
	sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	sock.bind(("127.0.0.1", 0))
	sock.listen(16)
	sock.setblocking(False)
	srv = tornado.httpserver.HTTPServer(app)
	srv.add_sockets([sock])
	say_port(portfile, sock.getsockname()[1])
	tornado.ioloop.IOLoop.current().start()


class NotFound(http.server.BaseHTTPRequestHandler):
	def do_GET(self):
		self.send_error(404, "no such page")

	def log_message(self, *a):
		pass


def hostile(kind, portfile):
	import socket
	srv = socket.socket()
	srv.bind(("127.0.0.1", 0))
	srv.listen(4)
	say_port(portfile, srv.getsockname()[1])
	while True:
		c, _ = srv.accept()
		head = b""
		while b"\r\n\r\n" not in head:
			got = c.recv(4096)
			if not got:
				break
			head += got
		if kind == "escapes":
			c.sendall(b"HTTP/1.1 403 \x1b]0;owned\x07\x1b[2J no\r\n"
			    b"X-Evil: \x1b[31mred\x9b\r\n\r\n")
			c.close()
			continue
		key = b""
		for line in head.split(b"\r\n"):
			if line.lower().startswith(b"sec-websocket-key:"):
				key = line.split(b":", 1)[1].strip()
		acc = base64.b64encode(hashlib.sha1(key +
		    b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
		c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: "
		    b"websocket\r\nConnection: Upgrade\r\n"
		    b"Sec-WebSocket-Accept: " + acc + b"\r\n\r\n")
		c.settimeout(0.5)
		try:
			for i in range(200000):
				c.sendall(b"\x89\x04ping")
			c.sendall(b"\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff")
			while True:
				c.sendall(b"\x00" * 65536)
		except OSError:
			pass
		c.close()


if sys.argv[1] == "hostile":
	hostile(sys.argv[2], sys.argv[3])
elif sys.argv[1] == "ws":
	asyncio.run(ws_main(int(sys.argv[2]), sys.argv[3]))
elif sys.argv[1] == "ws6":
	asyncio.run(ws_main(int(sys.argv[2]), sys.argv[3], "::1"))
elif sys.argv[1] == "wss":
	import ssl
	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
	ctx.load_cert_chain(sys.argv[3], sys.argv[4])
	asyncio.run(ws_main(int(sys.argv[2]), sys.argv[5], tls=ctx))
elif sys.argv[1] == "ws-deflate":
	asyncio.run(ws_main(int(sys.argv[2]), sys.argv[3],
	    compression="deflate"))
elif sys.argv[1] in ("tornado", "tornado-deflate"):
	tornado_main(int(sys.argv[2]), sys.argv[3],
	    sys.argv[1] == "tornado-deflate")
else:
	s = http.server.HTTPServer(("127.0.0.1", 0), NotFound)
	say_port(sys.argv[2], s.server_address[1])
	s.serve_forever()
