/*
 * capture-writer: scripted TCP conversations written as pcap files, on
 * tests/lib's pcap-writer and ws-build.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capture-writer.h"
#include "http-upgrade.h"
#include "pcap-writer.h"
#include "tmpfile.h"
#include "ws-build.h"
#include "wsautopsy.h"

#define CW_MAX_CONNS 8

struct cw_conn {
	struct pw_conn pc;
};

struct cw {
	struct pw      pw;
	char           path[64];
	struct cw_conn conns[CW_MAX_CONNS];
	int            nconns;
};

struct cw *
cw_new(void)
{
	struct cw  *w = xcalloc(1, sizeof *w);
	FILE       *f;

	if ((f = tf_create(w->path, sizeof w->path, ".pcap")) == NULL) {
		perror(w->path);
		exit(1);
	}
	pw_begin(&w->pw, f, PW_PCAP, 65535);
	w->pw.t_ns = 1700000000LL * 1000000000LL;
	w->pw.step_ns = 1000000;
	return w;
}

const char *
cw_path(const struct cw *w)
{
	return w->path;
}

uint64_t
cw_packets(const struct cw *w)
{
	return w->pw.packets;
}

void
cw_flush(struct cw *w)
{
	fflush(w->pw.f);
}

void
cw_free(struct cw *w)
{
	if (w == NULL)
		return;
	pw_end(&w->pw);
	fclose(w->pw.f);
	unlink(w->path);
	free(w);
}

struct cw_conn *
cw_conn_new(struct cw *w, uint16_t cport, uint16_t sport)
{
	struct cw_conn *c;

	if (w->nconns == CW_MAX_CONNS)
		abort();
	c = &w->conns[w->nconns++];
	pw_conn_init(&c->pc, &w->pw, 0x0a000001, cport, 0x0a000002, sport);
	c->pc.seq[CW_CLIENT] = 1000000u * (uint32_t)w->nconns;
	c->pc.seq[CW_SERVER] = 3000000000u + 1000u * (uint32_t)w->nconns;
	return c;
}

uint64_t
cw_handshake(struct cw_conn *c)
{
	return pw_tcp_open(&c->pc);
}

uint64_t
cw_send(struct cw_conn *c, int side, const void *p, size_t n)
{
	return cw_send_cut(c, side, p, n, n);
}

uint64_t
cw_send_split(struct cw_conn *c, int side, const void *p, size_t n,
    size_t mss)
{
	return pw_send(&c->pc, side, p, n, mss);
}

uint64_t
cw_send_cut(struct cw_conn *c, int side, const void *p, size_t n,
    size_t caplen)
{
	if (n > CW_MAX_SEG)
		abort();
	return pw_segment_cut(&c->pc, side, PW_ACK | PW_PSH, p, n, caplen);
}

void
cw_skip(struct cw_conn *c, int side, size_t n)
{
	c->pc.seq[side] += (uint32_t)n;
}

uint64_t
cw_ack(struct cw_conn *c, int side)
{
	return pw_segment(&c->pc, side, PW_ACK, NULL, 0);
}

uint64_t
cw_fin(struct cw_conn *c, int side)
{
	return pw_segment(&c->pc, side, PW_FIN | PW_ACK, NULL, 0);
}

uint64_t
cw_rst(struct cw_conn *c, int side)
{
	return pw_segment(&c->pc, side, PW_RST | PW_ACK, NULL, 0);
}

void
cw_buf_add(struct cw_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
cw_buf_reset(struct cw_buf *b)
{
	b->len = 0;
}

void
cw_buf_free(struct cw_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

uint64_t
cw_send_buf(struct cw_conn *c, int side, struct cw_buf *b)
{
	uint64_t pkt = cw_send(c, side, b->p, b->len);

	cw_buf_reset(b);
	return pkt;
}

void
cw_ws_frame(struct cw_buf *b, int fin, int rsv, int opcode, int masked,
    int lenform, const void *payload, size_t n, uint64_t declared)
{
	uint8_t        h[WSB_HEAD_MAX];
	const uint8_t *key = masked ? wsb_key : NULL;
	size_t         hl;

	hl = wsb_head(h, fin, rsv, opcode, key, lenform,
	    declared != UINT64_MAX ? declared : n);
	cw_buf_add(b, h, hl);
	cw_buf_add(b, payload, n);
	if (key != NULL)
		wsb_mask(b->p + b->len - n, b->p + b->len - n, n, key, 0);
}

void
cw_ws_simple(struct cw_buf *b, int opcode, int masked, const void *p,
    size_t n)
{
	cw_ws_frame(b, 1, 0, opcode, masked, CW_LEN_AUTO, p, n, UINT64_MAX);
}

void
cw_ws_close(struct cw_buf *b, int masked, int code, const char *reason)
{
	uint8_t pl[128];
	size_t  n = 0, rl;

	if (code >= 0) {
		rl = reason != NULL ? strlen(reason) : 0;
		if (rl > sizeof pl - 2)
			rl = sizeof pl - 2;
		n = wsb_close_payload(pl, (uint16_t)code, reason, rl);
	}
	cw_ws_simple(b, 0x8, masked, pl, n);
}

size_t
cw_deflate(const void *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z;
	size_t   len;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	len = wsb_deflate(&z, in, n, out, cap);
	deflateEnd(&z);
	if (len == SIZE_MAX)
		abort();
	return len;
}

void
cw_http_request(struct cw_buf *b, const char *extensions)
{
	char s[512];
	int  n;

	n = snprintf(s, sizeof s, "GET /chat HTTP/1.1\r\n"
	    "Host: 10.0.0.2\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " CW_KEY "\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "%s%s%s"
	    "\r\n", extensions != NULL ? "Sec-WebSocket-Extensions: " : "",
	    extensions != NULL ? extensions : "",
	    extensions != NULL ? "\r\n" : "");
	cw_buf_add(b, s, (size_t)n);
}

void
cw_http_101(struct cw_buf *b, int good_accept, const char *extensions)
{
	char s[512], accept[29];
	int  n;

	if (good_accept)
		ws_accept_for_key(CW_KEY, accept);
	else
		snprintf(accept, sizeof accept, "%s",
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	n = snprintf(s, sizeof s, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n"
	    "%s%s%s"
	    "\r\n", accept,
	    extensions != NULL ? "Sec-WebSocket-Extensions: " : "",
	    extensions != NULL ? extensions : "",
	    extensions != NULL ? "\r\n" : "");
	cw_buf_add(b, s, (size_t)n);
}
