#!/usr/bin/python3
"""python-websockets client for the raw-server violation samples.

usage: viol-python-client.py PORT
"""
import asyncio
import sys

import websockets


async def main():
	uri = "ws://127.0.0.1:%s/" % sys.argv[1]
	try:
		async with websockets.connect(uri) as ws:
			msg = await ws.recv()
			print("client message:", msg, file=sys.stderr)
	except websockets.ConnectionClosed as e:
		print("client close:", e.code, repr(e.reason), file=sys.stderr)
	except websockets.InvalidHandshake as e:
		print("client handshake error:", e, file=sys.stderr)


asyncio.run(main())
