#!/usr/bin/python3
"""tls-peer.py: the peers of the tls-core samples (see record-tls-core.sh).

  tls-peer.py server PORT CERT KEY [MAXSIZE [tls12] [noetm] [CIPHERS]]
      a Python websockets echo server over TLS (MAXSIZE 0: the default)
  tls-peer.py client PORT KEYLOG [tls12] [CIPHERS]
      a Python websockets client over TLS writing its key log: a text, a
      binary and a 3000-byte message, then a normal close
  tls-peer.py unwrap PORT KEYLOG
      a raw TLS client: a WebSocket handshake and one message, then TLS
      close_notify and FIN with no close frame
  tls-peer.py badrecord PORT KEYLOG
      a raw TLS 1.2 client: a WebSocket handshake and one message, then
      an application data record of random bytes written past its TLS
      layer; the server's OpenSSL fails it with a fatal alert
  tls-peer.py feed CASE
      the bytes an openssl s_client pipes to the server for CASE: the
      Upgrade request, masked frames, and s_client's K/k commands
      (KeyUpdate) between them; cases: keyupdate, 1002, 1009, wait (3 s before the close), plain
"""
import asyncio
import os
import ssl
import struct
import sys
import time


def server(port, cert, key, maxsize=0, *opts):
    import websockets
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    for o in opts:
        if o == "tls12":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        elif o == "noetm":
            ctx.options |= 0x80000   # SSL_OP_NO_ENCRYPT_THEN_MAC
        else:
            ctx.set_ciphers(o)

    async def echo(ws, path=None):
        try:
            async for m in ws:
                await ws.send(m)
        except websockets.ConnectionClosed:
            pass

    async def main():
        kw = {"max_size": int(maxsize)} if int(maxsize) else {}
        async with websockets.serve(echo, "127.0.0.1", int(port), ssl=ctx,
                                    compression=None, **kw):
            print("ready", flush=True)
            await asyncio.Future()

    asyncio.run(main())


def client(port, keylog, *opts):
    import websockets
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.keylog_filename = keylog
    for o in opts:
        if o == "tls12":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        else:
            ctx.set_ciphers(o)

    async def main():
        async with websockets.connect("wss://localhost:%s/chat" % port,
                                      ssl=ctx, compression=None) as ws:
            for m in ["hello over tls", b"\x00\x01\x02binary", "x" * 3000]:
                await ws.send(m)
                print("echo", len(await ws.recv()), flush=True)
            await ws.close(1000, "done")

    asyncio.run(main())


def raw_ws(port, keylog, text, tls12=False):
    """A raw TLS client after a WebSocket handshake and one message."""
    import socket
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.keylog_filename = keylog
    raw = socket.create_connection(("127.0.0.1", int(port)))
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    s.sendall(b"GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket"
              b"\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
              b"dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    s.recv(4096)
    s.sendall(frame(1, text))
    s.recv(4096)
    time.sleep(0.3)
    s.settimeout(2)
    return raw, s


def unwrap(port, keylog):
    """A raw TLS client that ends with TLS close_notify and a FIN, no
    close frame."""
    raw, s = raw_ws(port, keylog, b"then close_notify")
    try:
        s.unwrap().close()
    except (OSError, ssl.SSLError):
        raw.close()


def badrecord(port, keylog):
    """A record the server cannot authenticate, after one message."""
    raw, s = raw_ws(port, keylog, b"then a forged record", tls12=True)
    body = os.urandom(48)
    os.write(s.fileno(), b"\x17\x03\x03" + struct.pack("!H", len(body)) + body)
    try:
        while s.recv(4096):
            pass
    except (OSError, ssl.SSLError):
        pass
    raw.close()


def frame(op, payload, fin=True, mask=b"\x11\x22\x33\x44"):
    n = len(payload)
    h = bytes([(0x80 if fin else 0) | op])
    if n < 126:
        h += bytes([0x80 | n])
    elif n < 65536:
        h += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        h += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return h + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def feed(case):
    out = sys.stdout.buffer

    def put(b, pause=0.3):
        out.write(b)
        out.flush()
        time.sleep(pause)

    put(b"GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n", 0.5)
    put(frame(1, b"first message"))
    if case == "keyupdate":
        put(b"k\n")                       # KeyUpdate, the server's asked too
        put(frame(1, b"after the first key update"))
        put(b"K\n")
        put(frame(2, bytes(range(256)) * 20))
        put(b"K\n")
        put(frame(1, b"after the third key update"))
    elif case == "1002":
        put(frame(3, b"reserved opcode"))  # the server closes 1002
    elif case == "1009":
        put(frame(2, b"\xab" * 4000))      # past the server's max_size
    elif case == "wait":
        put(b"", 3.0)                      # the server is stopped meanwhile
    put(frame(8, struct.pack(">H", 1000) + b"bye"), 1.0)


if __name__ == "__main__":
    {"server": server, "client": client, "feed": feed, "unwrap": unwrap,
     "badrecord": badrecord}[sys.argv[1]](*sys.argv[2:])
