#!/usr/bin/python3
"""Peers of the keepalive and idle samples (python-websockets).

usage: keepalive-peer.py server PORT READYFILE
       keepalive-peer.py keepalive PORT SERVER_PID
       keepalive-peer.py idle PORT SECONDS

server: an echo server that never pings (ping_interval=None).
keepalive: a client pinging every second with a 2-second ping_timeout
(websockets' own keepalive); after two answered pings it stops the server
process (SIGSTOP), so later pings go unanswered and the client closes 1011
"keepalive ping timeout"; the server is then killed by the caller.
idle: a client that never pings sends one message, reads the echo and
waits up to SECONDS for the connection to end (a proxy's idle timeout).
"""
import asyncio
import os
import signal
import sys

import websockets


async def echo(ws, path=None):
	try:
		async for msg in ws:
			await ws.send(msg)
	except websockets.ConnectionClosed:
		pass


async def server(port, ready):
	async with websockets.serve(echo, "127.0.0.1", port, ping_interval=None,
	    compression=None):
		with open(ready, "w") as f:
			f.write("%d\n" % os.getpid())
		await asyncio.Future()


async def keepalive(port, pid):
	async with websockets.connect("ws://127.0.0.1:%d/" % port,
	    ping_interval=1, ping_timeout=2, close_timeout=1,
	    compression=None) as ws:
		await ws.send("hello")
		await ws.recv()
		await asyncio.sleep(2.5)
		os.kill(pid, signal.SIGSTOP)
		await ws.wait_closed()
		print("client close:", ws.close_code, repr(ws.close_reason),
		    file=sys.stderr)


async def idle(port, seconds):
	async with websockets.connect("ws://127.0.0.1:%d/" % port,
	    ping_interval=None, compression=None) as ws:
		await ws.send("hello")
		await ws.recv()
		try:
			await asyncio.wait_for(ws.wait_closed(), seconds)
		except asyncio.TimeoutError:
			pass
		print("client close:", ws.close_code, repr(ws.close_reason),
		    file=sys.stderr)


def main():
	what, port = sys.argv[1], int(sys.argv[2])
	if what == "server":
		asyncio.run(server(port, sys.argv[3]))
	elif what == "keepalive":
		asyncio.run(keepalive(port, int(sys.argv[3])))
	else:
		asyncio.run(idle(port, float(sys.argv[3])))


main()
