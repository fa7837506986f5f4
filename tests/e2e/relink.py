#!/usr/bin/env python3
"""Rewrite a classic pcap of TCP over IPv4/IPv6 into another link type or IP
form, packet for packet, keeping timestamps, payloads and the snaplen cut.

usage: relink.py IN OUT LINK [IPFORM]

LINK, the link layer written around each IP packet:
  ether          Ethernet II (as read)
  vlan           Ethernet with one 802.1Q tag (0x8100)
  qinq           Ethernet with 802.1ad then 802.1Q tags (0x88a8, 0x8100)
  raw101 raw12 raw14
                 raw IP with pcap link type 101 (LINKTYPE_RAW), 12 or 14
                 (the values DLT_RAW has on different systems)
  ipv4 ipv6      raw IP with link type 228 (IPv4) or 229 (IPv6)
  null-le:AF null-be:AF
                 BSD loopback, link type 0: a 4-byte address family in the
                 capturing host's order (little- or big-endian)
  loop:AF        OpenBSD loopback, link type 108: the family in network order

IPFORM, a change to the IP packet itself:
  none           (default)
  ip4opt         IPv4 header with 8 bytes of options (IHL 7): total length
                 and header checksum fixed
  ip6ext         IPv6 hop-by-hop, destination options and routing headers
                 before TCP: payload length fixed
  ip6atomic      an IPv6 fragment header with offset 0 and M=0 (an "atomic
                 fragment", RFC 6946): the packet is whole
  frag:N         every segment carrying TCP payload split into IPv4 or IPv6
                 fragments of N bytes (a multiple of 8)

The input is a classic pcap (either byte order, microsecond or nanosecond)
whose link type is Ethernet or raw IP. Prints one line:
"records R fragments F fragmented S" (records written, fragment records
among them, original packets that were split).
"""
import struct
import sys

ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD


def ip_checksum(hdr):
    if len(hdr) % 2:
        hdr += b"\0"
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def strip_link(linktype, data):
    """The IP packet inside a record."""
    if linktype == 1:
        off, et = 14, struct.unpack("!H", data[12:14])[0]
        while et in (0x8100, 0x88A8, 0x9100):
            et = struct.unpack("!H", data[off + 2:off + 4])[0]
            off += 4
        if et not in (ETH_IPV4, ETH_IPV6):
            raise SystemExit("relink: a packet is not IP (ethertype %#x)" % et)
        return data[off:]
    if linktype in (12, 14, 101, 228, 229):
        return data
    raise SystemExit("relink: input link type %d not handled" % linktype)


def ip4_fix(ip, hl):
    """Fix total length (from the captured bytes' header) and checksum."""
    h = bytearray(ip[:hl])
    h[10:12] = b"\0\0"
    h[10:12] = struct.pack("!H", ip_checksum(bytes(h)))
    return bytes(h) + ip[hl:]


def ip4opt(ip):
    hl = (ip[0] & 0x0F) * 4
    # Router Alert (RFC 2113), then three NOPs and an End of Options.
    opts = bytes([0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00])
    nhl = hl + len(opts)
    total = struct.unpack("!H", ip[2:4])[0] + len(opts)
    h = bytearray(ip[:hl] + opts)
    h[0] = 0x40 | (nhl // 4)
    h[2:4] = struct.pack("!H", total)
    return ip4_fix(bytes(h) + ip[hl:], nhl), len(opts)


def ip6_insert(ip, exts, first_nh):
    """Put extension headers (bytes, already chained) after the fixed
    header: the fixed header's next header becomes first_nh, the last
    extension's is the original next header."""
    nh = ip[6]
    exts = bytearray(exts)
    # The last extension header starts 8 bytes from the end in all uses.
    exts[-8] = nh
    h = bytearray(ip[:40])
    h[6] = first_nh
    h[4:6] = struct.pack("!H", struct.unpack("!H", ip[4:6])[0] + len(exts))
    return bytes(h) + bytes(exts) + ip[40:], len(exts)


def ip6ext(ip):
    pad4 = bytes([1, 4, 0, 0, 0, 0])  # PadN option filling 6 bytes
    hbh = bytes([60, 0]) + pad4          # hop-by-hop, next: dest. options
    dst = bytes([43, 0]) + pad4          # destination options, next: routing
    rt = bytes([0, 0, 0, 0, 0, 0, 0, 0])  # routing type 0, segments left 0
    return ip6_insert(ip, hbh + dst + rt, 0)


def ip6atomic(ip, ident):
    frag = struct.pack("!BBHI", 0, 0, 0, ident)
    return ip6_insert(ip, frag, 44)


def tcp_payload_len(ip):
    if ip[0] >> 4 == 4:
        hl = (ip[0] & 0x0F) * 4
        if ip[9] != 6:
            return 0
        total = struct.unpack("!H", ip[2:4])[0]
        thl = (ip[hl + 12] >> 4) * 4
        return total - hl - thl
    if ip[6] != 6:
        return 0
    thl = (ip[40 + 12] >> 4) * 4
    return struct.unpack("!H", ip[4:6])[0] - thl


def fragment(ip, size, ident):
    """Split a whole, fully captured IP packet into fragments."""
    out = []
    if ip[0] >> 4 == 4:
        hl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        body = ip[hl:total]
        for off in range(0, len(body), size):
            part = body[off:off + size]
            more = off + size < len(body)
            h = bytearray(ip[:hl])
            h[2:4] = struct.pack("!H", hl + len(part))
            h[4:6] = struct.pack("!H", ident & 0xFFFF)
            h[6:8] = struct.pack("!H", (0x2000 if more else 0) | off // 8)
            out.append(ip4_fix(bytes(h) + part, hl))
        return out
    body = ip[40:40 + struct.unpack("!H", ip[4:6])[0]]
    for off in range(0, len(body), size):
        part = body[off:off + size]
        more = off + size < len(body)
        fh = struct.pack("!BBHI", ip[6], 0, off | (1 if more else 0), ident)
        h = bytearray(ip[:40])
        h[6] = 44
        h[4:6] = struct.pack("!H", len(fh) + len(part))
        out.append(bytes(h) + fh + part)
    return out


def wrap(link, ip):
    v6 = ip[0] >> 4 == 6
    et = struct.pack("!H", ETH_IPV6 if v6 else ETH_IPV4)
    macs = bytes(12)
    if link == "ether":
        return 1, macs + et + ip
    if link == "vlan":
        return 1, macs + b"\x81\x00\x00\x07" + et + ip
    if link == "qinq":
        return 1, macs + b"\x88\xa8\x00\x64\x81\x00\x00\x07" + et + ip
    if link.startswith("raw"):
        return int(link[3:]), ip
    if link in ("ipv4", "ipv6"):
        if (link == "ipv6") != v6:
            raise SystemExit("relink: %s link for the other IP version" % link)
        return 228 if link == "ipv4" else 229, ip
    kind, _, af = link.partition(":")
    if not af:
        raise SystemExit("relink: %s needs :AF" % link)
    af = int(af)
    if kind == "null-le":
        return 0, struct.pack("<I", af) + ip
    if kind == "null-be":
        return 0, struct.pack(">I", af) + ip
    if kind == "loop":
        return 108, struct.pack(">I", af) + ip
    raise SystemExit("relink: unknown link %s" % link)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    src, dst, link = sys.argv[1:4]
    form = sys.argv[4] if len(sys.argv) == 5 else "none"
    data = open(src, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        sys.exit("relink: %s is not a classic pcap" % src)
    vmaj, vmin, _, _, snap, linktype = struct.unpack(e + "HHiIII", data[4:24])
    pos, recs, frags, split, ident = 24, [], 0, 0, 0x5a00
    out_lt = None
    while pos + 16 <= len(data):
        sec, sub, cap, wire = struct.unpack(e + "IIII", data[pos:pos + 16])
        pkt = data[pos + 16:pos + 16 + cap]
        pos += 16 + cap
        ip = strip_link(linktype, pkt)
        cut = wire - cap
        ident += 1
        if form == "ip4opt":
            ip, _ = ip4opt(ip)
        elif form == "ip6ext":
            ip, _ = ip6ext(ip)
        elif form == "ip6atomic":
            ip, _ = ip6atomic(ip, ident)
        if form.startswith("frag:") and tcp_payload_len(ip) > 0:
            if cut:
                sys.exit("relink: cannot fragment a packet cut by snaplen")
            parts = fragment(ip, int(form[5:]), ident)
            frags += len(parts)
            split += 1
        elif form == "none" or form in ("ip4opt", "ip6ext", "ip6atomic") \
                or form.startswith("frag:"):
            parts = [ip]
        else:
            sys.exit("relink: unknown IP form %s" % form)
        for part in parts:
            out_lt, frame = wrap(link, part)
            recs.append(struct.pack(e + "IIII", sec, sub, len(frame),
                                    len(frame) + cut) + frame)
    if out_lt is None:
        out_lt, _ = wrap(link, b"\x45" + bytes(19))
    with open(dst, "wb") as f:
        f.write(magic + struct.pack(e + "HHiIII", vmaj, vmin, 0, 0,
                                    snap + 64, out_lt))
        f.write(b"".join(recs))
    print("records %d fragments %d fragmented %d" % (len(recs), frags, split))


if __name__ == "__main__":
    main()
