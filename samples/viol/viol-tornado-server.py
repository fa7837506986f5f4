#!/usr/bin/python3
"""Echo server on Tornado for the violation samples.

usage: viol-tornado-server.py PORT READYFILE
"""
import asyncio
import sys

import tornado.web
import tornado.websocket


class Echo(tornado.websocket.WebSocketHandler):
	def on_message(self, message):
		self.write_message(message, binary=isinstance(message, bytes))

	def on_close(self):
		print("server close:", self.close_code, repr(self.close_reason),
		    file=sys.stderr)


async def main():
	app = tornado.web.Application([(r"/.*", Echo)])
	app.listen(int(sys.argv[1]), address="127.0.0.1")
	with open(sys.argv[2], "w") as f:
		f.write("ready\n")
	await asyncio.Event().wait()


asyncio.run(main())
