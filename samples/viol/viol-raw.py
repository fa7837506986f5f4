#!/usr/bin/python3
"""Raw WebSocket peer that breaks exactly one rule, for the violation samples.

usage: viol-raw.py client SCENARIO PORT SENTFILE
       viol-raw.py server SCENARIO PORT SENTFILE READYFILE

The client does a correct handshake, sends one well-formed text message,
waits for its echo, then sends the crafted frame(s) and reacts as a real
client would: a close frame from the server is answered with a close frame
(unless this side already sent one), the TCP connection is closed once the
server has closed it.  When the server tolerates the crafted frame, the
client closes normally with 1000.

The server answers the upgrade with 101 and then sends the crafted bytes.

Every crafted frame goes out in its own send() after a short pause so that
its first header byte starts a TCP segment (except frame-after-close, where
the text frame shares the write of the close frame so that both arrive
before the server answers); SENTFILE receives the hex of the first bytes of
the offending frame so the ground truth can name the packet that carries
them.
"""
import base64
import hashlib
import os
import re
import socket
import struct
import sys
import time
import zlib

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
KEY = b"dGhlIHNhbXBsZSBub25jZQ=="
OP_CONT, OP_TEXT, OP_BIN, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


def accept_for(key):
	return base64.b64encode(hashlib.sha1(key + GUID).digest())


def frame(op, payload, fin=True, rsv=0, mask=True, lenform=None,
    rawlen=None):
	"""Build one frame; lenform forces 7/16/64-bit length, rawlen the
	value written into the length field."""
	n = len(payload) if rawlen is None else rawlen
	b0 = (0x80 if fin else 0) | (rsv << 4) | op
	mbit = 0x80 if mask else 0
	if lenform is None:
		lenform = 7 if n < 126 else 16 if n < 65536 else 64
	if lenform == 7:
		hdr = struct.pack("!BB", b0, mbit | n)
	elif lenform == 16:
		hdr = struct.pack("!BBH", b0, mbit | 126, n)
	else:
		hdr = struct.pack("!BBQ", b0, mbit | 127, n)
	if not mask:
		return hdr + payload
	key = os.urandom(4)
	body = bytes(c ^ key[i & 3] for i, c in enumerate(payload))
	return hdr + key + body


def close_payload(code, reason=b""):
	return struct.pack("!H", code) + reason


class Peer:
	def __init__(self, sock, is_client):
		self.sock = sock
		self.is_client = is_client
		self.buf = b""
		self.sent_close = False
		self.got_close = None
		self.eof = False

	def send(self, data, pause=0.1):
		time.sleep(pause)
		self.sock.sendall(data)

	def fill(self, timeout):
		self.sock.settimeout(timeout)
		try:
			d = self.sock.recv(1 << 20)
		except socket.timeout:
			return False
		except ConnectionResetError:
			d = b""
		if not d:
			self.eof = True
			return False
		self.buf += d
		return True

	def next_frame(self, timeout):
		"""Return (op, payload) of the next frame from the peer, or None
		on timeout or EOF.  Payload is unmasked."""
		deadline = time.monotonic() + timeout
		while True:
			f = self.parse()
			if f is not None:
				return f
			left = deadline - time.monotonic()
			if self.eof or left <= 0 or not self.fill(left):
				return None

	def parse(self):
		b = self.buf
		if len(b) < 2:
			return None
		op = b[0] & 0x0F
		masked = b[1] & 0x80
		n = b[1] & 0x7F
		pos = 2
		if n == 126:
			if len(b) < 4:
				return None
			n = struct.unpack("!H", b[2:4])[0]
			pos = 4
		elif n == 127:
			if len(b) < 10:
				return None
			n = struct.unpack("!Q", b[2:10])[0]
			pos = 10
		key = None
		if masked:
			if len(b) < pos + 4:
				return None
			key = b[pos:pos + 4]
			pos += 4
		if len(b) < pos + n:
			return None
		payload = b[pos:pos + n]
		if key:
			payload = bytes(c ^ key[i & 3] for i, c in enumerate(payload))
		self.buf = b[pos + n:]
		return op, payload

	def close(self, code):
		self.sent_close = True
		pl = b"" if code is None else close_payload(code)
		self.send(frame(OP_CLOSE, pl, mask=self.is_client), pause=0)

	def react(self, idle):
		"""Behave like a real endpoint until the connection ends.  If
		nothing comes back within idle seconds, close normally."""
		while True:
			f = self.next_frame(idle)
			if f is None:
				if self.eof:
					break
				if self.sent_close:
					break
				self.close(1000)
				continue
			op, payload = f
			if op == OP_PING:
				self.send(frame(OP_PONG, payload,
				    mask=self.is_client), pause=0)
			elif op == OP_CLOSE:
				self.got_close = payload
				if not self.sent_close:
					code = None
					if len(payload) >= 2:
						code = struct.unpack("!H",
						    payload[:2])[0]
					self.close(code)
				if not self.is_client:
					break
		# The server closes TCP first; the client waits for that.
		if self.is_client and not self.eof:
			while self.fill(2.0):
				pass
		self.sock.close()


def handshake_client(sock, port, deflate):
	req = ("GET / HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n" % (port, KEY.decode()))
	if deflate:
		req += ("Sec-WebSocket-Extensions: permessage-deflate; "
		    "client_max_window_bits\r\n")
	sock.sendall((req + "\r\n").encode())
	buf = b""
	while b"\r\n\r\n" not in buf:
		d = sock.recv(4096)
		if not d:
			sys.exit("raw client: connection closed in handshake")
		buf += d
	head, rest = buf.split(b"\r\n\r\n", 1)
	if not head.startswith(b"HTTP/1.1 101"):
		sys.exit("raw client: upgrade refused: %r" % head)
	if accept_for(KEY) not in head:
		sys.exit("raw client: bad accept in %r" % head)
	if deflate and b"permessage-deflate" not in head:
		sys.exit("raw client: deflate not negotiated: %r" % head)
	# The compressor must keep to the window the server asked for.
	wbits = 15
	m = re.search(rb"client_max_window_bits=(\d+)", head)
	if m:
		wbits = int(m.group(1))
	return rest, wbits


def bomb(wbits):
	"""16 MiB of zeros as one permessage-deflate message body."""
	c = zlib.compressobj(9, zlib.DEFLATED, -wbits)
	data = c.compress(bytes(16 << 20)) + c.flush(zlib.Z_SYNC_FLUSH)
	assert data.endswith(b"\x00\x00\xff\xff")
	return data[:-4]


# scenario -> (needs deflate, frames sent before the offending one,
# offending frame(s)).
def client_scenario(name, wbits):
	t = lambda p, **kw: frame(OP_TEXT, p, **kw)
	big = b"a" * 40000
	# Sent in the same write as the close so both arrive before the
	# server has answered the close.
	after = t(b"after close")
	table = {
		"reserved-opcode": (False, [], [frame(3, b"abc")]),
		"rsv-bit-without-extension": (False, [],
		    [t(b"rsv2", rsv=2)]),
		"unmasked-client-frame": (False, [],
		    [t(b"unmasked", mask=False)]),
		"control-frame-too-long": (False, [],
		    [frame(OP_PING, b"p" * 126)]),
		"fragmented-control-frame": (False, [],
		    [frame(OP_PING, b"ping", fin=False)]),
		"unexpected-continuation": (False, [],
		    [frame(OP_CONT, b"cont")]),
		"data-frame-during-fragmented-message": (False,
		    [t(b"part1", fin=False)], [t(b"new message")]),
		"close-payload-one-byte": (False, [],
		    [frame(OP_CLOSE, b"\x03")]),
		"invalid-close-code": (False, [],
		    [frame(OP_CLOSE, close_payload(1005))]),
		"invalid-close-code-999": (False, [],
		    [frame(OP_CLOSE, close_payload(999))]),
		"invalid-utf8-text": (False, [],
		    [t(b"bad \xff\xfe utf-8")]),
		"invalid-utf8-close-reason": (False, [],
		    [frame(OP_CLOSE, close_payload(1000, b"bye \xc3\x28"))]),
		# 202 bytes of close payload, over the 125 of a control frame.
		"close-reason-too-long": (False, [],
		    [frame(OP_CLOSE, close_payload(1000, b"".join(
		    b"%03d," % i for i in range(50))))]),
		"length-msb-set": (False, [],
		    [frame(OP_TEXT, b"hello", lenform=64,
		    rawlen=0x8000000000000005)]),
		"misplaced-rsv1": (True, [],
		    [frame(OP_PING, b"ping", rsv=4)]),
		"non-minimal-length": (False, [],
		    [t(b"hello", lenform=16)]),
		"1009-continuation": (False, [t(big, fin=False)],
		    [frame(OP_CONT, big)]),
		"bomb": (True, [], [frame(OP_BIN,
		    bomb(wbits) if name == "bomb" else b"", rsv=4)]),
		"frame-after-close": (False, [], [frame(OP_CLOSE,
		    close_payload(1000)) + after]),
	}
	_, pre, off = table[name]
	# The truth names the frame whose bytes are recorded here.
	mark = after if name == "frame-after-close" else off[0]
	return pre, off, mark


def run_client(name, port, sentfile):
	deflate = name in ("misplaced-rsv1", "bomb")
	sock = socket.create_connection(("127.0.0.1", port))
	p = Peer(sock, True)
	p.buf, wbits = handshake_client(sock, port, deflate)
	pre, off, mark = client_scenario(name, wbits)
	p.send(frame(OP_TEXT, b"hello"))
	f = p.next_frame(2.0)
	if f is None or f[0] != OP_TEXT:
		sys.exit("raw client: no echo of the first message")
	for fr in pre:
		p.send(fr)
		if fr[0] & 0x0F == OP_CLOSE:
			p.sent_close = True
	with open(sentfile, "w") as fp:
		fp.write(mark[:16].hex() + "\n")
	for fr in off:
		try:
			p.send(fr)
		except OSError:
			break
		if fr[0] & 0x0F == OP_CLOSE:
			p.sent_close = True
	p.react(1.5)


def run_server(name, port, sentfile, readyfile):
	ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	ls.bind(("127.0.0.1", port))
	ls.listen(1)
	with open(readyfile, "w") as fp:
		fp.write("ready\n")
	sock, _ = ls.accept()
	ls.close()
	buf = b""
	while b"\r\n\r\n" not in buf:
		d = sock.recv(4096)
		if not d:
			sys.exit("raw server: connection closed in handshake")
		buf += d
	key = b""
	for line in buf.split(b"\r\n"):
		if line.lower().startswith(b"sec-websocket-key:"):
			key = line.split(b":", 1)[1].strip()
	acc = accept_for(key)
	if name == "bad-accept":
		acc = accept_for(key + b"x")
	resp = (b"HTTP/1.1 101 Switching Protocols\r\n"
	    b"Upgrade: websocket\r\n"
	    b"Connection: Upgrade\r\n"
	    b"Sec-WebSocket-Accept: " + acc + b"\r\n\r\n")
	p = Peer(sock, False)
	if name == "bad-accept":
		with open(sentfile, "w") as fp:
			fp.write(resp[:16].hex() + "\n")
		sock.sendall(resp)
		# Wait for the client to give up, then close too.
		while p.fill(3.0):
			pass
		sock.close()
		return
	sock.sendall(resp)
	off = frame(OP_TEXT, b"hello from a masking server", mask=True)
	with open(sentfile, "w") as fp:
		fp.write(off[:16].hex() + "\n")
	p.send(off)
	p.react(1.5)


def main():
	role, name, port, sentfile = sys.argv[1:5]
	if role == "client":
		run_client(name, int(port), sentfile)
	else:
		run_server(name, int(port), sentfile, sys.argv[5])


main()
