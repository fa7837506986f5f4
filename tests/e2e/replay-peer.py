#!/usr/bin/python3
# Servers for replay.sh, on a loopback port of their own choosing, which
# they write to PORTFILE once they listen:
#   replay-peer.py ws MAX_SIZE PORTFILE    websockets echo server (no
#                                          compression), max_size MAX_SIZE
#   replay-peer.py http PORTFILE           http.server: 404 for any path
import asyncio
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


async def ws_main(max_size, portfile):
	import websockets
	async with websockets.serve(real_peer().echo_handler, "127.0.0.1", 0,
	    max_size=max_size, compression=None) as srv:
		say_port(portfile, srv.sockets[0].getsockname()[1])
		await asyncio.Future()


class NotFound(http.server.BaseHTTPRequestHandler):
	def do_GET(self):
		self.send_error(404, "no such page")

	def log_message(self, *a):
		pass


if sys.argv[1] == "ws":
	asyncio.run(ws_main(int(sys.argv[2]), sys.argv[3]))
else:
	s = http.server.HTTPServer(("127.0.0.1", 0), NotFound)
	say_port(sys.argv[2], s.server_address[1])
	s.serve_forever()
