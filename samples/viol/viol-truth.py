#!/usr/bin/python3
"""Write the ground truth of one violation sample from what tshark decodes.

usage: viol-truth.py PCAP PORT OFFENDER RULE KIND SENTFILE PEER WHAT

PORT is the server's port; OFFENDER (client|server) is the raw peer that
broke RULE; KIND is "frame" or "handshake"; SENTFILE holds the hex of the
first bytes of the offending frame (or HTTP response); PEER describes the
real implementation, WHAT the crafted input.  Close frames, TCP ends and the
reaction are taken from the capture, never assumed.
"""
import json
import subprocess
import sys

FIELDS = ["frame.number", "tcp.srcport", "tcp.flags.fin", "tcp.flags.reset",
    "tcp.payload", "websocket.opcode", "websocket.payload_length",
    "websocket.payload.close.status_code", "websocket.payload.close.reason"]


def tshark(pcap):
	cmd = ["tshark", "-r", pcap, "-T", "fields", "-E", "separator=\t",
	    "-E", "occurrence=a", "-E", "aggregator=\x1f"]
	for f in FIELDS:
		cmd += ["-e", f]
	out = subprocess.run(cmd, check=True, capture_output=True).stdout
	rows = []
	for line in out.decode("utf-8", "backslashreplace").splitlines():
		cols = line.split("\t")
		cols += [""] * (len(FIELDS) - len(cols))
		rows.append(dict(zip(FIELDS, cols)))
	return rows


def close_reasons(pcap):
	"""Frame number -> raw bytes of each close reason in that frame.
	The fields output replaces invalid UTF-8; the _raw hex keeps it."""
	cmd = ["tshark", "-r", pcap, "-Y", "websocket.opcode == 8", "-T",
	    "json", "-x", "--no-duplicate-keys", "-J", "frame websocket"]
	out = subprocess.run(cmd, check=True, capture_output=True).stdout
	res = {}
	for pkt in json.loads(out or b"[]"):
		layers = pkt["_source"]["layers"]
		num = int(first(layers["frame"]["frame.number"]))
		raws = []
		collect(layers.get("websocket"), raws)
		res[num] = [bytes.fromhex(first(r)) for r in raws]
	return res


def first(v):
	return v[0] if isinstance(v, list) and v and \
	    not isinstance(v[0], int) else v


def collect(node, out):
	"""Append every websocket.payload.close.reason_raw under node, in
	document order."""
	if isinstance(node, list):
		for n in node:
			collect(n, out)
	elif isinstance(node, dict):
		for k, v in node.items():
			if k == "websocket.payload.close.reason_raw":
				if isinstance(v, list) and v and \
				    isinstance(v[0], list):
					out.extend(v)
				else:
					out.append(v)
			else:
				collect(v, out)


def split(v):
	return v.split("\x1f") if v else []


def flag(v):
	return v in ("1", "True")


def escape(s):
	"""Backslash, tab and newline escaped; bytes that are not UTF-8
	(decoded with surrogateescape) written as \\xNN."""
	s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
	return "".join("\\x%02x" % (ord(c) - 0xDC00)
	    if 0xDC80 <= ord(c) <= 0xDCFF else c for c in s)


def main():
	pcap, port, offender, rule, kind, sentfile, peer, what = sys.argv[1:9]
	reactor = "server" if offender == "client" else "client"
	with open(sentfile) as f:
		mark = f.read().strip()
	closes = []	# (packet, side, code, reason)
	ends = {}	# side -> (packet, fin|rst)
	offpkt = None
	raw = close_reasons(pcap)
	for r in tshark(pcap):
		pkt = int(r["frame.number"])
		side = "server" if r["tcp.srcport"] == port else "client"
		if offpkt is None and mark and mark in r["tcp.payload"]:
			offpkt = pkt
		if side not in ends:
			if flag(r["tcp.flags.reset"]):
				ends[side] = (pkt, "rst")
			elif flag(r["tcp.flags.fin"]):
				ends[side] = (pkt, "fin")
		codes = split(r["websocket.payload.close.status_code"])
		reasons = list(raw.get(pkt, []))
		lens = split(r["websocket.payload_length"])
		for i, op in enumerate(split(r["websocket.opcode"])):
			if int(op, 0) != 8:
				continue
			n = int(lens[i]) if i < len(lens) else 0
			if n < 2:
				# No code on the wire (tshark shows 1005 for
				# an empty close): "-", so that 1005 in a
				# truth line is a 1005 that was sent.
				code, reason = "-", ""
			else:
				code = codes.pop(0) if codes else "?"
				reason = reasons.pop(0).decode("utf-8",
				    "surrogateescape") if n > 2 and reasons \
				    else ""
			closes.append((pkt, side, code, reason))
	if offpkt is None:
		sys.exit("%s: offending bytes %s not found" % (pcap, mark))

	lines = []
	for pkt, side, code, reason in closes:
		lines.append((pkt, "close\t%s\t%s\t%d\t%s" % (side, code, pkt,
		    escape(reason))))
	for side in ("client", "server"):
		# RFC 6455 4.1: a client fails a handshake that does not
		# conform by closing TCP; with no frame either way, those ends
		# are the expected reaction, not abnormal ones.
		if kind == "handshake" and not closes:
			break
		other = "server" if side == "client" else "client"
		mine = [c for c in closes if c[1] == side]
		if side in ends:
			pkt, how = ends[side]
			if any(c[0] <= pkt for c in mine):
				continue
		elif other in ends and not mine:
			# It never ended nor closed: the peer's end ends it.
			pkt, how = ends[other]
		else:
			continue
		# A close from the peer before this end: it went unanswered.
		if any(c[1] == other and c[0] <= pkt for c in closes):
			lines.append((pkt, "unanswered\t%s\t%s\t%d" % (side,
			    how, pkt)))
		elif side in ends:
			lines.append((pkt, "abnormal\t%s\t%s\t%d" % (side, how,
			    pkt)))

	rc = [c for c in closes if c[1] == reactor]
	oc = [c for c in closes if c[1] == offender]
	end = ends.get(reactor)
	verdict = "offending"
	if kind == "handshake":
		verdict = "handshake"
		reaction = "fails the handshake"
		if rc:
			reaction += " and closes %s" % rc[0][2]
		elif end:
			reaction += " and closes TCP (%s) with no close frame" % \
			    end[1].upper()
	elif rc and (end is None or rc[0][0] <= end[0]):
		fc = rc[0]
		prior = [c for c in oc if c[0] < fc[0]]
		reaction = "closes %s (%s)" % (fc[2], ('reason "%s"' %
		    escape(fc[3])) if fc[3] else "empty reason")
		if prior and prior[-1][2] == fc[2]:
			verdict = "tolerated"
			if prior[-1][0] > offpkt:
				reaction = ("tolerates it and carries on; the "
				    "raw %s then closes %s and the %s echoes "
				    "it" % (offender, prior[-1][2], reactor))
			else:
				reaction = ("ignores it and echoes the close "
				    "%s" % fc[2])
	elif end:
		reaction = "closes TCP (%s) with no close frame" % \
		    end[1].upper()
	else:
		reaction = "does not react"
	# Stable sort: the offending line leads the lines of its packet.
	lines.insert(0, (offpkt, "%s\t%s\t%s\t%d" % (verdict, offender,
	    rule, offpkt)))
	lines.sort(key=lambda x: x[0])
	print("# raw %s sends %s; %s %s" % (offender, what, peer, reaction))
	for _, text in lines:
		print(text)

main()
