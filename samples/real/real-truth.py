#!/usr/bin/python3
# real-truth.py: write the .truth lines of a capture from tshark's view of it.
#
#   real-truth.py CAPTURE COMMENT [--offending SENDER RULE [--limit N]]
#                 [--handshake SENDER RULE] [--no-handshake PORT]
#
# Prints "# COMMENT", then in packet order:
#   close SENDER CODE PACKET REASON   every close frame tshark decodes
#   abnormal SENDER fin|rst PACKET    a side of a WebSocket connection that
#                                     ended TCP without sending a close frame
#   unanswered SENDER fin|rst PACKET  the same, after its peer sent one
#   capture SENDER RULE PACKET        capture-truncated at the first packet
#                                     of SENDER cut by the snaplen, else
#                                     capture-gap where tshark first finds a
#                                     previous segment of SENDER not captured
#   offending SENDER RULE PACKET      (--offending) the largest data frame of
#                                     SENDER, or the frame SENDER never
#                                     finished sending; with --limit N, on
#                                     each connection, the first data frame
#                                     whose message's running size passes N
#                                     (the fragment that crossed a limit of
#                                     N bytes);
#                                     PACKET holds its first header byte
#   handshake SENDER RULE PACKET      (--handshake) the first HTTP response
#                                     that is not 101
# SENDER is client or server: the client is the side that sent the SYN, or
# with --no-handshake PORT (capture starts mid-stream; PORT is decoded as
# WebSocket) the side sending masked frames.  PACKET numbers are Wireshark's (1-based).

import argparse
import json
import subprocess
import sys


def layers_of(pkt):
	return pkt["_source"]["layers"]


def as_list(v):
	if v is None:
		return []
	return v if isinstance(v, list) else [v]


def tshark_json(path, decode_port):
	cmd = ["tshark", "-r", path]
	if decode_port:
		cmd += ["-d", "tcp.port==%d,websocket" % decode_port]
	out = subprocess.run(cmd + ["-T", "json", "--no-duplicate-keys",
	    "-Y", "tcp",
	    "-J", "frame tcp tcp.segments websocket http"],
	    check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
	    text=True).stdout
	return json.loads(out) if out.strip() else []


def payload_length(ws):
	for k in ("websocket.payload_length_ext_64",
	    "websocket.payload_length_ext_16", "websocket.payload_length"):
		if k in ws:
			return int(ws[k])
	return 0


def segments(layers):
	segs = layers.get("tcp.segments")
	if not segs:
		return []
	return [int(s) for s in as_list(segs.get("tcp.segment"))]


def first_segment(layers):
	seg = segments(layers)
	return seg[0] if seg else None


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("capture")
	ap.add_argument("comment")
	ap.add_argument("--offending", nargs=2, metavar=("SENDER", "RULE"))
	ap.add_argument("--limit", type=int, metavar="N")
	ap.add_argument("--handshake", nargs=2, metavar=("SENDER", "RULE"))
	ap.add_argument("--no-handshake", metavar="PORT", type=int,
	    help="capture starts mid-stream; decode PORT as WebSocket")
	args = ap.parse_args()

	pkts = tshark_json(args.capture, args.no_handshake)
	server = {}		# stream -> server port
	upgraded = set()
	frames = []		# (packet, first packet, stream, port, ws layer)
	tcpend = []		# (packet, stream, port, fin|rst)
	lines = []
	handshake_done = False
	covered = set()		# packets carrying bytes of a decoded PDU
	loose = []		# data packets of no decoded PDU (frame cut short)
	cut = {}		# (stream, port) -> first packet cut by the snaplen
	lost = {}		# (stream, port) -> first packet after lost bytes

	when = {}		# packet -> time
	last = {}		# stream -> time of its last packet
	for p in pkts:
		ly = layers_of(p)
		num = int(ly["frame"]["frame.number"])
		when[num] = float(ly["frame"]["frame.time_epoch"])
		last[ly["tcp"]["tcp.stream"]] = when[num]
		tcp = ly["tcp"]
		stream = tcp["tcp.stream"]
		sport = int(tcp["tcp.srcport"])
		dport = int(tcp["tcp.dstport"])
		fl = tcp["tcp.flags_tree"]
		if fl["tcp.flags.syn"] == "1" and fl["tcp.flags.ack"] == "0":
			server[stream] = dport
		if fl["tcp.flags.reset"] == "1":
			tcpend.append((num, stream, sport, "rst"))
		elif fl["tcp.flags.fin"] == "1":
			tcpend.append((num, stream, sport, "fin"))
		fr = ly["frame"]
		if int(fr["frame.cap_len"]) < int(fr["frame.len"]) and \
		    int(tcp.get("tcp.len", "0")) > 0:
			cut.setdefault((stream, sport), num)
		if "tcp.analysis.lost_segment" in json.dumps(
		    tcp.get("tcp.analysis", {})):
			lost.setdefault((stream, sport), num)
		first = first_segment(ly)
		for h in as_list(ly.get("http")):
			code = None
			for k, v in h.items():
				if k.startswith("HTTP/1.1 ") and isinstance(v, dict):
					code = v.get("http.response.code")
			if code == "101":
				upgraded.add(stream)
			elif code is not None and args.handshake and \
			    not handshake_done:
				at = first if first is not None else num
				lines.append((at, "handshake\t%s\t%s\t%d" % (
				    args.handshake[0], args.handshake[1], at)))
				handshake_done = True
		if first is not None or "websocket" in ly or "http" in ly:
			covered.update(segments(ly) or [num])
		elif int(tcp.get("tcp.len", "0")) > 0:
			loose.append((num, stream, sport))
		for i, ws in enumerate(as_list(ly.get("websocket"))):
			start = first if (i == 0 and first is not None) else num
			frames.append((num, start, stream, sport, ws))
			upgraded.add(stream)
			if args.no_handshake and stream not in server and \
			    ws.get("websocket.mask") == "1":
				server[stream] = dport

	def sender(stream, port):
		return "server" if server.get(stream) == port else "client"

	closed = set()
	for num, start, stream, port, ws in frames:
		if ws.get("websocket.opcode") != "8":
			continue
		pl = ws.get("websocket.payload", {})
		cl = pl.get("websocket.payload.close", pl) if isinstance(pl, dict) else {}
		code = cl.get("websocket.payload.close.status_code", "")
		reason = cl.get("websocket.payload.close.reason", "")
		lines.append((start, "close\t%s\t%s\t%d\t%s" % (
		    sender(stream, port), code, start, reason)))
		closed.add((stream, port))

	ended = set()
	for num, stream, port, kind in tcpend:
		if stream not in upgraded or (stream, port) in closed or \
		    (stream, port) in ended:
			continue
		ended.add((stream, port))
		peer_closed = any(s == stream and p != port for s, p in closed)
		lines.append((num, "%s\t%s\t%s\t%d" % (
		    "unanswered" if peer_closed else "abnormal",
		    sender(stream, port), kind, num)))

	# A side that never closed nor ended TCP while its peer sent a close:
	# the connection's last end (the peer's FIN or RST) leaves it unanswered.
	ports = {}
	for _, stream, port, _ in tcpend:
		ports.setdefault(stream, set()).add(port)
	for _, _, stream, port, _ in frames:
		ports.setdefault(stream, set()).add(port)
	for stream, ps in ports.items():
		ends = [(n, k) for n, s, _, k in tcpend if s == stream]
		if stream not in upgraded or not ends:
			continue
		for port in ps:
			if (stream, port) in closed or (stream, port) in ended or \
			    not any(s == stream and p != port for s, p in closed):
				continue
			num, kind = ends[-1]
			lines.append((num, "unanswered\t%s\t%s\t%d" % (
			    sender(stream, port), kind, num)))

	# Pings: a pong answers the ping with its payload and every older one
	# waiting (RFC 6455 5.5.3); one still waiting 2 s before the stream's
	# last packet was never answered, and names the silent peer.
	waiting = {}		# (stream, port) -> [(start, payload)]
	silent = {}		# (stream, port) -> first unanswered ping
	for num, start, stream, port, ws in frames:
		op = ws.get("websocket.opcode")
		pl = ws.get("websocket.payload", {})
		pl = pl if isinstance(pl, dict) else {}
		if op == "9":
			waiting.setdefault((stream, port), []).append(
			    (start, pl.get("websocket.payload.ping", "")))
		elif op == "10":
			data = pl.get("websocket.payload.pong", "")
			for key, w in waiting.items():
				if key[0] != stream or key[1] == port:
					continue
				hit = [i for i, (_, d) in enumerate(w) if d == data]
				if hit:
					del w[:hit[-1] + 1]
	for (stream, port), w in waiting.items():
		for start, _ in w:
			if last[stream] - when[start] >= 2.0:
				silent.setdefault((stream, port), start)
	for (stream, port), start in silent.items():
		peer = "client" if sender(stream, port) == "server" else "server"
		lines.append((start, "keepalive\t%s\tunanswered-ping\t%d" % (
		    peer, start)))

	for (stream, port) in set(cut) | set(lost):
		if stream not in upgraded:
			continue
		rule, num = ("capture-truncated", cut[(stream, port)]) if \
		    (stream, port) in cut else ("capture-gap", lost[(stream, port)])
		lines.append((num, "capture\t%s\t%s\t%d" % (
		    sender(stream, port), rule, num)))

	if args.offending:
		who, rule = args.offending
		best = None
		for num, start, stream, port, ws in frames:
			if sender(stream, port) != who or \
			    ws.get("websocket.opcode") not in ("0", "1", "2"):
				continue
			n = payload_length(ws)
			if best is None or n > best[0]:
				best = (n, start)
		# A frame the capture never completes (the peer stopped
		# reading) is not decoded by tshark: its first packet is the
		# first data packet of that side that belongs to no PDU.
		for num, stream, port in loose:
			if stream in upgraded and sender(stream, port) == who and \
			    num not in covered:
				best = (0, num)
				break
		if args.limit is not None:
			# Per connection: each one's first crossing.
			size, crossed = {}, {}
			for num, start, stream, port, ws in frames:
				if sender(stream, port) != who or stream in crossed:
					continue
				op = ws.get("websocket.opcode")
				if op in ("1", "2"):
					size[stream] = 0
				elif op != "0":
					continue
				size[stream] = size.get(stream, 0) + \
				    payload_length(ws)
				if size[stream] > args.limit:
					crossed[stream] = start
			for start in crossed.values():
				lines.append((start, "offending\t%s\t%s\t%d" % (
				    who, rule, start)))
			best = (0, 0) if crossed else None
		elif best is not None:
			lines.append((best[1], "offending\t%s\t%s\t%d" % (
			    who, rule, best[1])))
		if best is None:
			sys.exit("real-truth: no data frame from " + who)

	print("# " + args.comment)
	for _, text in sorted(lines, key=lambda t: t[0]):
		print(text)


if __name__ == "__main__":
	main()
