#!/bin/sh
# bench/make-capture: same seed and size give the same bytes; a different
# seed gives others; every connection decodes back to exactly what the
# truth file and the summary say (own decoder below: checksums, sequence
# and ack numbers, Sec-WebSocket-Accept, masking, permessage-deflate with
# context takeover, JSON text); and tshark reads the file without errors
# and counts the same frames and close codes per connection.
set -u

MC=${top_builddir:-.}/bench/make-capture
if [ ! -x "$MC" ]; then
	echo "bench-make-capture: $MC not built"
	exit 99
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "bench-make-capture: python3 not installed: skipped"
	exit 77
fi

tmp=$(mktemp -d -p "${TMPDIR:-/tmp}") || exit 99
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

fail() {
	echo "bench-make-capture: FAIL: $*"
	exit 1
}

"$MC" -s 1 -o "$tmp/a.pcap" -t "$tmp/a.truth" 2M 2>"$tmp/a.sum" ||
	fail "make-capture -s 1 2M exited $?"
"$MC" -s 1 -o "$tmp/b.pcap" 2M 2>"$tmp/b.sum" ||
	fail "second make-capture -s 1 2M exited $?"
"$MC" -s 2 -o "$tmp/c.pcap" 2M 2>/dev/null ||
	fail "make-capture -s 2 2M exited $?"
cmp -s "$tmp/a.pcap" "$tmp/b.pcap" || fail "same seed, different files"
cmp -s "$tmp/a.sum" "$tmp/b.sum" || fail "same seed, different summaries"
cmp -s "$tmp/a.pcap" "$tmp/c.pcap" && fail "different seeds, same file"
cat "$tmp/a.sum"

size=$(wc -c <"$tmp/a.pcap")
[ "$size" -ge 1887436 ] && [ "$size" -le 4194304 ] ||
	fail "a 2M capture is $size bytes"
for key in frames messages compressed_messages fragmented_messages close_1000 \
    close_1009; do
	v=$(sed -n "s/^$key //p" "$tmp/a.sum")
	[ -n "$v" ] && [ "$v" -gt 0 ] || fail "summary: no $key"
done

# Nanosecond timestamps and a fixed number of open connections.
"$MC" -n -c 3 -s 5 -o "$tmp/n.pcap" -t "$tmp/n.truth" 1M 2>"$tmp/n.sum" ||
	fail "make-capture -n -c 3 exited $?"

# Usage errors.
"$MC" 2>/dev/null && fail "no SIZE accepted"
"$MC" -o "$tmp/x.pcap" 12Q 2>/dev/null && fail "SIZE 12Q accepted"
"$MC" -c 0 -o "$tmp/x.pcap" 1M 2>/dev/null && fail "-c 0 accepted"

for f in a n; do
	python3 - "$tmp/$f.pcap" "$tmp/$f.truth" "$tmp/$f.sum" <<'PYEOF' ||
import sys, struct, hashlib, base64, zlib, json, array

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

def fail(msg):
    print("verify: " + msg)
    sys.exit(1)

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(array.array("H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

def read_pcap(path):
    with open(path, "rb") as f:
        buf = f.read()
    magic, = struct.unpack_from("<I", buf, 0)
    if magic == 0xa1b2c3d4:
        div = 1000
    elif magic == 0xa1b23c4d:
        div = 1
    else:
        fail("bad magic %x" % magic)
    if struct.unpack_from("<I", buf, 20)[0] != 1:
        fail("linktype is not Ethernet")
    off = 24
    last = -1
    while off < len(buf):
        sec, frac, caplen, wirelen = struct.unpack_from("<IIII", buf, off)
        off += 16
        t = sec * 10**9 + frac * div
        if t <= last:
            fail("timestamps do not increase at offset %d" % off)
        last = t
        if caplen != wirelen:
            fail("truncated packet")
        yield buf[off:off + caplen]
        off += caplen

class Dir:
    def __init__(self):
        self.isn = None
        self.next = None
        self.data = bytearray()
        self.fin = False

conns = {}
packets = 0
for pkt in read_pcap(sys.argv[1]):
    packets += 1
    if pkt[12:14] != b"\x08\x00":
        fail("not IPv4")
    ip = pkt[14:]
    ihl = (ip[0] & 15) * 4
    tot = struct.unpack_from(">H", ip, 2)[0]
    if csum(bytes(ip[:ihl])) != 0xffff:
        fail("IP checksum")
    tcp = ip[ihl:tot]
    pseudo = ip[12:20] + b"\0\x06" + struct.pack(">H", len(tcp))
    if csum(bytes(pseudo + tcp)) != 0xffff:
        fail("TCP checksum, packet %d" % packets)
    sport, dport, seq, ack, offf, flags = struct.unpack_from(">HHIIBB", tcp, 0)
    payload = tcp[(offf >> 4) * 4:]
    src = (ip[12:16], sport)
    dst = (ip[16:20], dport)
    if dport in (80, 443, 8080, 9000):
        key, d = (src, dst), 0
    else:
        key, d = (dst, src), 1
    c = conns.setdefault(key, [Dir(), Dir()])
    me, peer = c[d], c[1 - d]
    if flags & 0x02:
        if me.isn is not None:
            fail("4-tuple reused")
        me.isn = seq
        me.next = (seq + 1) & 0xffffffff
        if d == 1 and ack != peer.next:
            fail("SYN-ACK ack")
        continue
    if me.next is None or seq != me.next:
        fail("sequence gap or retransmission, packet %d" % packets)
    if not (flags & 0x10) or ack != peer.next:
        fail("ack is not the peer's next sequence, packet %d" % packets)
    if me.fin:
        if payload or flags & 0x01:
            fail("data after FIN")
    me.data += payload
    me.next = (me.next + len(payload) + (1 if flags & 0x01 else 0)) & 0xffffffff
    if flags & 0x01:
        me.fin = True

def parse_frames(data, masked):
    off = 0
    while off < len(data):
        if len(data) - off < 2:
            fail("truncated frame header")
        b0, b1 = data[off], data[off + 1]
        n = b1 & 0x7f
        off += 2
        if n == 126:
            n = struct.unpack_from(">H", data, off)[0]; off += 2
        elif n == 127:
            n = struct.unpack_from(">Q", data, off)[0]; off += 8
        if bool(b1 & 0x80) != masked:
            fail("mask bit wrong")
        if masked:
            mk = data[off:off + 4]; off += 4
        pl = bytes(data[off:off + n])
        if len(pl) != n:
            fail("truncated frame payload")
        off += n
        if masked:
            pl = bytes(b ^ mk[i & 3] for i, b in enumerate(pl))
        yield b0 >> 7, (b0 >> 6) & 1, (b0 >> 4) & 3, b0 & 15, pl

truth = {}
with open(sys.argv[2]) as f:
    for line in f:
        if line.startswith("#"):
            continue
        v = line.split()
        truth[v[1]] = v
tot_frames = tot_msgs = 0
for key, (cd, sd) in conns.items():
    name = "%s:%d" % (".".join(str(b) for b in key[0][0]), key[0][1])
    if not (cd.fin and sd.fin):
        fail(name + ": no FIN both ways")
    req_end = cd.data.find(b"\r\n\r\n")
    resp_end = sd.data.find(b"\r\n\r\n")
    if req_end < 0 or resp_end < 0:
        fail(name + ": no handshake")
    req = bytes(cd.data[:req_end]).decode().split("\r\n")
    resp = bytes(sd.data[:resp_end]).decode().split("\r\n")
    hreq = dict(l.split(": ", 1) for l in req[1:])
    hresp = dict(l.split(": ", 1) for l in resp[1:])
    if resp[0] != "HTTP/1.1 101 Switching Protocols":
        fail(name + ": not 101")
    want = base64.b64encode(hashlib.sha1(hreq["Sec-WebSocket-Key"].encode() + GUID).digest()).decode()
    if hresp["Sec-WebSocket-Accept"] != want:
        fail(name + ": wrong Sec-WebSocket-Accept")
    deflate = hresp.get("Sec-WebSocket-Extensions") == "permessage-deflate"
    if deflate and "permessage-deflate" not in hreq.get("Sec-WebSocket-Extensions", ""):
        fail(name + ": deflate accepted but not offered")
    frames = [0, 0]; msgs = [0, 0]; comp = [0, 0]; close = [0, 0]
    for d, data, masked in ((0, cd.data[req_end + 4:], True), (1, sd.data[resp_end + 4:], False)):
        z = zlib.decompressobj(-15)
        msg = None
        for fin, rsv1, rsv23, op, pl in parse_frames(data, masked):
            frames[d] += 1
            if close[d]:
                fail(name + ": frame after close")
            if rsv23:
                fail(name + ": RSV2/3 set")
            if op >= 8:
                if not fin or rsv1 or len(pl) > 125:
                    fail(name + ": bad control frame")
                if op == 8:
                    close[d] = struct.unpack(">H", pl[:2])[0]
                    pl[2:].decode()
                continue
            if op == 0:
                if msg is None or rsv1:
                    fail(name + ": bad continuation")
                msg[2] += pl
            else:
                if msg is not None or op not in (1, 2):
                    fail(name + ": bad data frame")
                if rsv1 and not deflate:
                    fail(name + ": RSV1 without deflate")
                msg = [op, rsv1, pl]
            if fin:
                op, rsv1, pl = msg
                msg = None
                msgs[d] += 1
                if rsv1:
                    comp[d] += 1
                    pl = z.decompress(pl + b"\x00\x00\xff\xff")
                if op == 1:
                    json.loads(pl.decode("utf-8"))
        if msg is not None:
            fail(name + ": unfinished message")
    t = truth.get(name)
    if t is None:
        fail(name + ": not in truth file")
    got = [str(int(deflate))] + [str(x) for x in frames + msgs + comp + close]
    if t[3:] != got:
        fail(name + ": truth %s, capture %s" % (t[3:], got))
    del truth[name]
    tot_frames += sum(frames); tot_msgs += sum(msgs)
if truth:
    fail("connections in the truth file missing from the capture")
summary = dict(l.split() for l in open(sys.argv[3]))
for k, v in (("connections", len(conns)), ("packets", packets),
             ("frames", tot_frames), ("messages", tot_msgs)):
    if int(summary[k]) != v:
        fail("summary says %s %s, capture has %d" % (k, summary[k], v))
print("decoded %s: %d connections, %d frames, %d messages" % (sys.argv[1], len(conns), tot_frames, tot_msgs))
PYEOF
		fail "decoding $f.pcap"
done

if ! command -v tshark >/dev/null 2>&1; then
	echo "bench-make-capture: tshark not installed: its checks skipped"
	exit 77
fi

# tshark only follows the Upgrade on its HTTP ports; 443 and 9000 are told.
decode="-d tcp.port==443,http -d tcp.port==9000,http"
# shellcheck disable=SC2086
tshark -r "$tmp/a.pcap" $decode -Y websocket -T fields -E separator=/t \
    -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e websocket.opcode \
    -e websocket.payload.close.status_code \
    >"$tmp/ts.out" 2>"$tmp/ts.err" || fail "tshark exited $?"
grep -v '^Running as user' "$tmp/ts.err" | grep . && fail "tshark printed errors"
# Retransmissions, gaps, ACKs of unseen data, malformed packets: none.
# shellcheck disable=SC2086
bad=$(tshark -r "$tmp/a.pcap" $decode \
    -Y 'tcp.analysis.flags || _ws.malformed || tcp.checksum.status == 0' \
    -o tcp.check_checksum:TRUE 2>/dev/null | wc -l)
[ "$bad" -eq 0 ] || fail "tshark flags $bad packets"

python3 - "$tmp/ts.out" "$tmp/a.truth" "$tmp/a.sum" <<'PYEOF' ||
import sys
per = {}
for line in open(sys.argv[1]):
    src, sport, dst, dport, ops, codes = line.rstrip("\n").split("\t")
    c2s = int(dport) in (80, 443, 8080, 9000)
    name = "%s:%s" % ((src, sport) if c2s else (dst, dport))
    e = per.setdefault(name, [0, 0, "0", "0"])
    e[0 if c2s else 1] += len(ops.split(","))
    if codes:
        e[2 if c2s else 3] = codes
total = 0
for line in open(sys.argv[2]):
    if line.startswith("#"):
        continue
    v = line.split()
    want = [int(v[4]), int(v[5]), v[10], v[11]]
    got = per.pop(v[1], None)
    if got != want:
        sys.exit("tshark on %s: %s, truth %s" % (v[1], got, want))
    total += want[0] + want[1]
if per:
    sys.exit("tshark sees connections the truth file lacks")
summary = dict(l.split() for l in open(sys.argv[3]))
if int(summary["frames"]) != total:
    sys.exit("tshark counts %d frames, summary %s" % (total, summary["frames"]))
print("tshark: %d frames, as the summary and the truth file say" % total)
PYEOF
	fail "tshark counts"
exit 0
