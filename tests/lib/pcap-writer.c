/*
 * pcap-writer: captures written byte for byte the same on every host.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcap-writer.h"

#define PW_NS 1000000000LL

static void     pw_write(struct pw *, const void *, size_t);

void
pw_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
pw_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
pw_putle32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
pw_write(struct pw *w, const void *p, size_t n)
{
	if (n == 0 || w->err != 0)
		return;
	if (fwrite(p, 1, n, w->f) != n) {
		w->err = errno != 0 ? errno : EIO;
		return;
	}
	w->bytes += n;
}

void
pw_begin(struct pw *w, FILE *f, enum pw_format format, uint32_t snaplen)
{
	uint8_t h[28];

	memset(w, 0, sizeof *w);
	w->f = f;
	w->format = format;
	w->pkt = malloc(PW_HDR_LEN + PW_OPT_MAX + 65536);
	if (w->pkt == NULL)
		abort();
	memset(h, 0, sizeof h);
	if (format != PW_PCAPNG) {
		/* Version 2.4, written little-endian whatever the host. */
		pw_putle32(h, format == PW_PCAP_NSEC ? 0xa1b23c4d : 0xa1b2c3d4);
		h[4] = 2;
		h[6] = 4;
		pw_putle32(h + 16, snaplen);
		pw_putle32(h + 20, 1);          /* LINKTYPE_ETHERNET */
		pw_write(w, h, 24);
		return;
	}
	/* Section header block, then one Ethernet interface. */
	pw_putle32(h, 0x0a0d0d0a);
	pw_putle32(h + 4, 28);
	pw_putle32(h + 8, 0x1a2b3c4d);
	h[12] = 1;
	memset(h + 16, 0xff, 8);                /* section length unknown */
	pw_putle32(h + 24, 28);
	pw_write(w, h, 28);
	memset(h, 0, sizeof h);
	pw_putle32(h, 1);
	pw_putle32(h + 4, 20);
	h[8] = 1;
	pw_putle32(h + 12, snaplen);
	pw_putle32(h + 16, 20);
	pw_write(w, h, 20);
}

int
pw_end(struct pw *w)
{
	free(w->pkt);
	w->pkt = NULL;
	if (w->err == 0 && fflush(w->f) != 0)
		w->err = errno != 0 ? errno : EIO;
	if (w->err != 0) {
		errno = w->err;
		return -1;
	}
	return 0;
}

void
pw_raw(struct pw *w, const void *p, size_t n)
{
	pw_write(w, p, n);
}

uint64_t
pw_record(struct pw *w, int64_t t, const void *pkt, size_t caplen,
    size_t len)
{
	static const uint8_t pad[4];
	uint8_t              h[28];
	uint64_t             us = (uint64_t)(t / 1000);
	size_t               padn = (4 - caplen % 4) % 4;

	if (w->format != PW_PCAPNG) {
		pw_putle32(h, (uint32_t)(t / PW_NS));
		pw_putle32(h + 4, (uint32_t)(w->format == PW_PCAP_NSEC ?
		    t % PW_NS : t % PW_NS / 1000));
		pw_putle32(h + 8, (uint32_t)caplen);
		pw_putle32(h + 12, (uint32_t)len);
		pw_write(w, h, 16);
		pw_write(w, pkt, caplen);
		return ++w->packets;
	}
	/* Enhanced packet block on interface 0. */
	pw_putle32(h, 6);
	pw_putle32(h + 4, (uint32_t)(32 + caplen + padn));
	pw_putle32(h + 8, 0);
	pw_putle32(h + 12, (uint32_t)(us >> 32));
	pw_putle32(h + 16, (uint32_t)us);
	pw_putle32(h + 20, (uint32_t)caplen);
	pw_putle32(h + 24, (uint32_t)len);
	pw_write(w, h, 28);
	pw_write(w, pkt, caplen);
	pw_write(w, pad, padn);
	pw_putle32(h, (uint32_t)(32 + caplen + padn));
	pw_write(w, h, 4);
	return ++w->packets;
}

void
pw_conn_init(struct pw_conn *c, struct pw *w, uint32_t client_ip,
    uint16_t client_port, uint32_t server_ip, uint16_t server_port)
{
	memset(c, 0, sizeof *c);
	c->w = w;
	c->ip[PW_CLIENT] = client_ip;
	c->ip[PW_SERVER] = server_ip;
	c->port[PW_CLIENT] = client_port;
	c->port[PW_SERVER] = server_port;
}

uint64_t
pw_segment_cut(struct pw_conn *c, int side, uint8_t flags, const void *data,
    size_t n, size_t caplen)
{
	struct pw *w = c->w;
	size_t     len;
	uint64_t   pkt;

	if (n > PW_MAX_PAYLOAD) {
		fprintf(stderr, "pcap-writer: segment of %zu bytes\n", n);
		exit(1);
	}
	len = tcp_packet_segment(w->pkt, c->ip, c->port, c->seq, w->ip_id++,
	    side, flags, data, n);
	pkt = pw_record(w, w->t_ns, w->pkt, len - n + (caplen < n ? caplen :
	    n), len);
	w->t_ns += w->step_ns;
	return pkt;
}

uint64_t
pw_segment(struct pw_conn *c, int side, uint8_t flags, const void *data,
    size_t n)
{
	return pw_segment_cut(c, side, flags, data, n, n);
}

uint64_t
pw_send(struct pw_conn *c, int side, const void *data, size_t n, size_t mss)
{
	const uint8_t *p = data;
	uint64_t       first = 0, pkt;
	size_t         k;

	while (n > 0) {
		k = n < mss ? n : mss;
		pkt = pw_segment(c, side, PW_ACK | PW_PSH, p, k);
		if (first == 0)
			first = pkt;
		p += k;
		n -= k;
	}
	return first;
}

uint64_t
pw_tcp_open(struct pw_conn *c)
{
	pw_segment(c, PW_CLIENT, PW_SYN, NULL, 0);
	pw_segment(c, PW_SERVER, PW_SYN | PW_ACK, NULL, 0);
	return pw_segment(c, PW_CLIENT, PW_ACK, NULL, 0);
}

uint64_t
pw_tcp_close(struct pw_conn *c)
{
	pw_segment(c, PW_SERVER, PW_FIN | PW_ACK, NULL, 0);
	pw_segment(c, PW_CLIENT, PW_FIN | PW_ACK, NULL, 0);
	return pw_segment(c, PW_SERVER, PW_ACK, NULL, 0);
}
