#!/usr/bin/python3
"""Echo server on python-websockets for the violation samples.

usage: viol-python-server.py PORT MAX_SIZE|default DEFLATE(0|1) READYFILE
"""
import asyncio
import sys

import websockets


async def echo(ws):
	try:
		async for msg in ws:
			await ws.send(msg)
	except websockets.ConnectionClosed:
		pass
	print("server close:", ws.close_code, repr(ws.close_reason),
	    file=sys.stderr)


async def main():
	port = int(sys.argv[1])
	kw = {}
	if sys.argv[2] != "default":
		kw["max_size"] = int(sys.argv[2])
	kw["compression"] = "deflate" if sys.argv[3] == "1" else None
	async with websockets.serve(echo, "127.0.0.1", port, **kw):
		with open(sys.argv[4], "w") as f:
			f.write("ready\n")
		await asyncio.Future()


asyncio.run(main())
