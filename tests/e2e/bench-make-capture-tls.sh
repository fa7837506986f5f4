#!/bin/sh
# bench/make-capture --tls: the same seed and size give the same bytes and
# the same key log; the key log holds the four TLS 1.3 secrets of every
# connection; tshark, given the key log, decrypts every connection
# (TLS 1.3, TLS_AES_128_GCM_SHA256, the SNI of its Host) and finds, on
# each connection and in each direction, the WebSocket frames of the
# capture the same seed and size make in the clear, frame for frame; and
# the records are not aligned with the segments.
. "${top_srcdir}/tests/e2e/lib.sh"
need tshark
need python3

MC=$top_builddir/bench/make-capture
"$MC" -s 7 -o "$TMP/clear.pcap" -t "$TMP/clear.truth" 1M 2>"$TMP/clear.sum" ||
	bad "make-capture -s 7 1M exited $?"
"$MC" --tls -s 7 -o "$TMP/tls.pcap" -t "$TMP/tls.truth" 1M 2>"$TMP/tls.sum" ||
	bad "make-capture --tls -s 7 1M exited $?"
"$MC" --tls -s 7 -o "$TMP/again.pcap" 1M 2>/dev/null ||
	bad "second make-capture --tls exited $?"
check "same seed, same TLS capture" cmp -s "$TMP/tls.pcap" "$TMP/again.pcap"
check "same seed, same key log" cmp -s "$TMP/tls.pcap.keys" "$TMP/again.pcap.keys"
check "same connections and frames as in the clear (truth files)" \
    cmp -s "$TMP/clear.truth" "$TMP/tls.truth"
for key in frames messages close_1000; do
	eq "summary $key" "$(sed -n "s/^$key //p" "$TMP/clear.sum")" \
	    "$(sed -n "s/^$key //p" "$TMP/tls.sum")"
done
conns=$(sed -n 's/^connections //p' "$TMP/tls.sum")
for label in CLIENT_HANDSHAKE_TRAFFIC_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET \
    CLIENT_TRAFFIC_SECRET_0 SERVER_TRAFFIC_SECRET_0; do
	eq "$label lines" "$conns" "$(grep -c "^$label [0-9a-f]\{64\} [0-9a-f]\{64\}\$" "$TMP/tls.pcap.keys")"
done
"$MC" --tls 1M >/dev/null 2>&1 && bad "--tls without -o accepted"

python3 - "$TMP/clear.pcap" "$TMP/tls.pcap" "$TMP/tls.pcap.keys" \
    "$conns" >"$TMP/out" 2>&1 <<'PYEOF'
import subprocess, sys

clear, tls, keys, conns = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
PORTS = ("80", "443", "8080", "9000")
F = ["tcp.srcport", "tcp.dstport", "websocket.fin", "websocket.opcode",
     "websocket.mask", "websocket.payload_length",
     "websocket.payload_length_ext_16", "websocket.payload_length_ext_64",
     "websocket.payload.close.status_code"]


def tshark(cap, opts, filt, fields):
    cmd = ["tshark", "-r", cap] + opts + ["-Y", filt, "-T", "fields",
           "-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=|"]
    for f in fields:
        cmd += ["-e", f]
    return subprocess.run(cmd, capture_output=True, text=True,
                          check=True).stdout.splitlines()


def frames(cap, opts):
    out = {}
    for line in tshark(cap, opts, "websocket", F):
        c = line.split("|")
        v = [x.split(",") if x else [] for x in c[2:]]
        i16 = i64 = ic = 0
        for k in range(len(v[1])):
            n = int(v[3][k])
            if n == 126:
                n = int(v[4][i16]); i16 += 1
            elif n == 127:
                n = int(v[5][i64]); i64 += 1
            op = int(v[1][k], 0)
            code = ""
            if op == 8 and n >= 2 and ic < len(v[6]):
                code = v[6][ic]; ic += 1
            out.setdefault((c[0], c[1]), []).append(
                (v[0][k], op, v[2][k], n, code))
    return out


bad = 0
tlsopts = ["-o", "tls.keylog_file:" + keys]
for p in PORTS:
    if p != "443":
        tlsopts += ["-d", "tcp.port==%s,tls" % p]
    tlsopts += ["-d", "tls.port==%s,http" % p]
a = frames(clear, ["-d", "tcp.port==443,http", "-d", "tcp.port==9000,http"])
b = frames(tls, tlsopts)
n = sum(map(len, a.values()))
for k in sorted(set(a) | set(b)):
    if a.get(k) != b.get(k):
        bad += 1
        print("%s -> %s: clear %s, tls %s" % (k[0], k[1], a.get(k, [])[:4],
                                              b.get(k, [])[:4]))
print("%d frames on %d directions in the clear, %d decrypted on %d" % (
    n, len(a), sum(map(len, b.values())), len(b)))
if n == 0:
    bad += 1

# Every ServerHello: TLS 1.3, TLS_AES_128_GCM_SHA256; every ClientHello
# names a server.
hellos = tshark(tls, tlsopts, "tls.handshake.type == 2", [
    "tls.handshake.extensions.supported_version", "tls.handshake.ciphersuite"])
if len(hellos) != conns or any(h != "0x0304|0x1301" for h in hellos):
    bad += 1
    print("ServerHellos: %d of %d connections, %s" % (len(hellos), conns,
                                                      sorted(set(hellos))))
sni = tshark(tls, tlsopts, "tls.handshake.type == 1",
             ["tls.handshake.extensions_server_name"])
if len(sni) != conns or not all(s.endswith(".example.test") for s in sni):
    bad += 1
    print("SNI: %s" % sorted(set(sni)))

# Records larger than a segment, and segments ending inside a record.
multi = tshark(tls, tlsopts, "tcp.segment.count > 1", ["frame.number"])
if len(multi) < 10:
    bad += 1
    print("only %d records over several segments" % len(multi))
sys.exit(1 if bad else 0)
PYEOF
if [ $? -eq 0 ]; then ok; else bad "tshark's decryption differs from the clear capture"; fi
cat "$TMP/out"
finish
