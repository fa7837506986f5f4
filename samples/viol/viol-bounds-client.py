#!/usr/bin/python3
"""Two connections in turn to one server, for the sample of a limit bounded
by a later connection.

usage: viol-bounds-client.py PORT BIG SMALL

The first connection sends one BIG-byte text message (the server closes
1009), the second one SMALL-byte message, which the server takes and
echoes, then closes 1000.
"""
import asyncio
import sys

import websockets


async def main():
	port, big, small = (int(a) for a in sys.argv[1:4])
	uri = "ws://127.0.0.1:%d/" % port
	async with websockets.connect(uri, compression=None,
	    max_size=None) as ws:
		await ws.send("b" * big)
		try:
			await ws.recv()
		except websockets.ConnectionClosed as e:
			print("client: first closed", e.rcvd.code if e.rcvd
			    else None, file=sys.stderr)
	async with websockets.connect(uri, compression=None,
	    max_size=None) as ws:
		await ws.send("s" * small)
		print("client: echo", len(await ws.recv()), file=sys.stderr)


asyncio.run(main())
