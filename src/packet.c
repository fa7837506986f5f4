/*
 * packet: link layer, IPv4/IPv6 and TCP header decoding.
 *
 * Every read is checked against the captured length first. IP fragments
 * are counted and never decoded as TCP: a fragment's bytes at the TCP
 * header position are not a TCP header. An IPv6 fragment header with
 * offset 0 and no more fragments (an atomic fragment, RFC 6946) holds a
 * whole packet and is decoded.
 */
#include "config.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <string.h>

#include "packet.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
/*
 * Raw IP has been DLT 12 on most systems and 14 on OpenBSD; libpcap passes
 * either number from a file through as it is (LINKTYPE_RAW, 101, becomes
 * the local DLT_RAW), so both are raw IP here, as in Wireshark.
 */
#define PACKET_DLT_RAW_12 12
#define PACKET_DLT_RAW_14 14

static uint16_t         packet_get16(const uint8_t *);
static uint32_t         packet_get32(const uint8_t *);
static enum packet_kind packet_ip(const uint8_t *, uint32_t, uint32_t,
			    struct packet *);
static enum packet_kind packet_ipv4(const uint8_t *, uint32_t, uint32_t,
			    struct packet *);
static enum packet_kind packet_ipv6(const uint8_t *, uint32_t, uint32_t,
			    struct packet *);
static enum packet_kind packet_tcp(const uint8_t *, uint32_t, uint32_t,
			    struct packet *);
static int              packet_null_family(uint32_t);

static uint16_t
packet_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
packet_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

int
packet_linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return 1;
	}
	return dlt == PACKET_DLT_RAW_12 || dlt == PACKET_DLT_RAW_14;
}

const char *
packet_linktype_name(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);

	return n != NULL ? n : "unknown";
}

const char *
packet_kind_name(enum packet_kind k)
{
	static const char *const names[] = {
		"tcp", "not TCP", "IP fragment", "too short", "malformed"
	};

	return k < PKT_KIND_MAX ? names[k] : "?";
}

/* BSD loopback stores the address family in the capturing host's order. */
static int
packet_null_family(uint32_t v)
{
	uint32_t s = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) |
	    (v << 24);

	if (v > 0xffff)
		v = s;
	if (v == 2)
		return 4;
	if (v == 10 || v == 24 || v == 28 || v == 30 || v == 23)
		return 6;
	return 0;
}

enum packet_kind
packet_decode(int dlt, const struct capture_pkt *cp, struct packet *pkt)
{
	const uint8_t *p = cp->data;
	uint32_t       n = cp->caplen, wire = cp->wirelen, off;
	uint16_t       et;
	int            fam;

	pkt->number = cp->number;
	pkt->ts = cp->ts;
	switch (dlt) {
	case DLT_EN10MB:
		if (n < 14)
			return PKT_SHORT;
		et = packet_get16(p + 12);
		off = 14;
		/* 802.1Q, 802.1ad and the old QinQ tag, any depth. */
		while (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
			if (n < off + 4)
				return PKT_SHORT;
			et = packet_get16(p + off + 2);
			off += 4;
		}
		if (et != 0x0800 && et != 0x86dd)
			return PKT_NOT_TCP;
		break;
	case DLT_LINUX_SLL:
		if (n < 16)
			return PKT_SHORT;
		et = packet_get16(p + 14);
		off = 16;
		if (et != 0x0800 && et != 0x86dd)
			return PKT_NOT_TCP;
		break;
	case DLT_LINUX_SLL2:
		if (n < 20)
			return PKT_SHORT;
		et = packet_get16(p);
		off = 20;
		if (et != 0x0800 && et != 0x86dd)
			return PKT_NOT_TCP;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		if (n < 4)
			return PKT_SHORT;
		if (dlt == DLT_LOOP)
			fam = packet_null_family(packet_get32(p));
		else
			fam = packet_null_family((uint32_t)p[0] |
			    (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			    (uint32_t)p[3] << 24);
		if (fam == 0)
			return PKT_NOT_TCP;
		off = 4;
		break;
	default:
		/* DLT_RAW, DLT_IPV4, DLT_IPV6: the IP header comes first. */
		off = 0;
		break;
	}
	if (n <= off)
		return PKT_SHORT;
	return packet_ip(p + off, n - off, wire > off ? wire - off : 0, pkt);
}

static enum packet_kind
packet_ip(const uint8_t *p, uint32_t n, uint32_t wire, struct packet *pkt)
{
	switch (p[0] >> 4) {
	case 4:
		return packet_ipv4(p, n, wire, pkt);
	case 6:
		return packet_ipv6(p, n, wire, pkt);
	}
	return PKT_NOT_TCP;
}

static enum packet_kind
packet_ipv4(const uint8_t *p, uint32_t n, uint32_t wire, struct packet *pkt)
{
	uint32_t hl, total;
	uint16_t frag;

	if (n < 20)
		return PKT_SHORT;
	hl = (uint32_t)(p[0] & 0x0f) * 4;
	if (hl < 20)
		return PKT_MALFORMED;
	if (n < hl)
		return PKT_SHORT;
	total = packet_get16(p + 2);
	/* Segmentation offload shows a total length of 0; trust the wire. */
	if (total == 0)
		total = wire;
	if (total < hl)
		return PKT_MALFORMED;
	frag = packet_get16(p + 6);
	if ((frag & 0x3fff) != 0)
		return PKT_FRAGMENT;
	if (p[9] != 6)
		return PKT_NOT_TCP;
	pkt->family = 4;
	memset(pkt->src, 0, sizeof pkt->src);
	memset(pkt->dst, 0, sizeof pkt->dst);
	memcpy(pkt->src, p + 12, 4);
	memcpy(pkt->dst, p + 16, 4);
	return packet_tcp(p + hl, n - hl, total - hl, pkt);
}

static enum packet_kind
packet_ipv6(const uint8_t *p, uint32_t n, uint32_t wire, struct packet *pkt)
{
	uint32_t off = 40, plen, hl;
	uint8_t  nh;
	int      hops;

	if (n < 40)
		return PKT_SHORT;
	plen = packet_get16(p + 4);
	if (plen == 0) /* jumbogram or offload: trust the wire length */
		plen = wire > 40 ? wire - 40 : 0;
	nh = p[6];
	for (hops = 0; hops < 16; hops++) {
		switch (nh) {
		case 6:
			if (plen < off - 40)
				return PKT_MALFORMED;
			pkt->family = 6;
			memcpy(pkt->src, p + 8, 16);
			memcpy(pkt->dst, p + 24, 16);
			return packet_tcp(p + off, n - off,
			    plen - (off - 40), pkt);
		case 0:  /* hop-by-hop */
		case 43: /* routing */
		case 60: /* destination options */
			if (n < off + 8)
				return PKT_SHORT;
			hl = ((uint32_t)p[off + 1] + 1) * 8;
			nh = p[off];
			break;
		case 51: /* authentication header */
			if (n < off + 8)
				return PKT_SHORT;
			hl = ((uint32_t)p[off + 1] + 2) * 4;
			nh = p[off];
			break;
		case 44: /* fragment */
			if (n < off + 8)
				return PKT_SHORT;
			/* Offset or M set: a piece of a packet, not a packet. */
			if ((packet_get16(p + off + 2) & 0xfff9) != 0)
				return PKT_FRAGMENT;
			hl = 8;
			nh = p[off];
			break;
		default:
			return PKT_NOT_TCP;
		}
		off += hl;
		if (n < off)
			return PKT_SHORT;
	}
	return PKT_MALFORMED;
}

static enum packet_kind
packet_tcp(const uint8_t *p, uint32_t n, uint32_t len, struct packet *pkt)
{
	uint32_t hl;

	if (n < 20)
		return PKT_SHORT;
	hl = (uint32_t)(p[12] >> 4) * 4;
	if (hl < 20 || len < hl)
		return PKT_MALFORMED;
	if (n < hl)
		return PKT_SHORT;
	pkt->sport = packet_get16(p);
	pkt->dport = packet_get16(p + 2);
	pkt->seq = packet_get32(p + 4);
	pkt->ack = packet_get32(p + 8);
	pkt->flags = p[13];
	pkt->payload = p + hl;
	pkt->len = len - hl;
	pkt->caplen = n - hl < pkt->len ? n - hl : pkt->len;
	return PKT_TCP;
}

const char *
packet_endpoint(int family, const uint8_t *addr, uint16_t port, char *buf,
    size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (family == 6) {
		inet_ntop(AF_INET6, addr, a, sizeof a);
		snprintf(buf, len, "[%s]:%u", a, port);
	} else {
		inet_ntop(AF_INET, addr, a, sizeof a);
		snprintf(buf, len, "%s:%u", a, port);
	}
	return buf;
}
