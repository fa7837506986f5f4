/*
 * Unit tests of the flow table and TCP reassembly on hand-built segments.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flow.h"

#define MAXC 8

/* A recording sink: what reassembly delivered, per connection and side. */
struct rec {
	int      nconns;
	uint64_t ids[MAXC];
	uint8_t  buf[MAXC][2][4096];
	uint64_t len[MAXC][2];      /* highest offset written */
	uint64_t gaps[MAXC][2];
	uint64_t gap_bytes[MAXC][2];
	uint64_t gap_off[MAXC][2];  /* offset of the last gap */
	uint64_t first_pkt_at[MAXC][2][4096];
	int      ended[MAXC][2];    /* 1 FIN, 2 RST */
	int      closed[MAXC];
	int      end_kind[MAXC];
	int      client[MAXC];
	int      midstream[MAXC];
	int      order_ok;
};

static struct rec R;

static int
rec_index(struct conn *c)
{
	int i;

	for (i = 0; i < R.nconns; i++)
		if (R.ids[i] == c->id)
			return i;
	fail_msg("unknown connection %llu", (unsigned long long)c->id);
	return -1;
}

static void
rec_open(void *ctx, struct conn *c)
{
	(void)ctx;
	assert_true(R.nconns < MAXC);
	R.ids[R.nconns++] = c->id;
}

static void
rec_data(void *ctx, struct conn *c, int side, uint64_t off, const uint8_t *p,
    size_t n, uint64_t pkt, struct wts ts)
{
	int i = rec_index(c);
	size_t k;

	(void)ctx;
	(void)ts;
	/* Delivery is in order: each call starts where the last ended. */
	if (off != R.len[i][side])
		R.order_ok = 0;
	assert_true(off + n <= sizeof R.buf[i][side]);
	memcpy(R.buf[i][side] + off, p, n);
	for (k = 0; k < n; k++)
		R.first_pkt_at[i][side][off + k] = pkt;
	R.len[i][side] = off + n;
}

static void
rec_gap(void *ctx, struct conn *c, int side, uint64_t off, uint64_t len,
    uint64_t pkt, struct wts ts)
{
	int i = rec_index(c);

	(void)ctx;
	(void)pkt;
	(void)ts;
	if (off != R.len[i][side])
		R.order_ok = 0;
	R.gaps[i][side]++;
	R.gap_bytes[i][side] += len;
	R.gap_off[i][side] = off;
	memset(R.buf[i][side] + off, '#', len);
	R.len[i][side] = off + len;
}

static void
rec_end(void *ctx, struct conn *c, int side, int rst, uint64_t pkt,
    struct wts ts)
{
	(void)ctx;
	(void)pkt;
	(void)ts;
	R.ended[rec_index(c)][side] = rst ? 2 : 1;
}

static void
rec_close(void *ctx, struct conn *c)
{
	int i = rec_index(c);

	(void)ctx;
	R.closed[i] = 1;
	R.end_kind[i] = c->end;
	R.client[i] = c->client;
	R.midstream[i] = (c->flags & CONN_MIDSTREAM) != 0;
}

static const struct stream_ops rec_ops = {
	rec_open, rec_data, rec_gap, rec_end, rec_close
};

static struct flow_table *ft;
static uint64_t           pktno;

static int
setup(void **state)
{
	struct flow_limits l;

	(void)state;
	memset(&R, 0, sizeof R);
	R.order_ok = 1;
	pktno = 0;
	flow_limits_default(&l);
	ft = flow_table_new(&l, &rec_ops, NULL);
	return 0;
}

static int
setup_small(void **state)
{
	struct flow_limits l;

	(void)state;
	memset(&R, 0, sizeof R);
	R.order_ok = 1;
	pktno = 0;
	flow_limits_default(&l);
	/* Room for one 6-byte segment and a few bytes more, not two. */
	l.ooo_per_dir = flow_ooo_cost(6) + 10;
	l.max_flows = 2;
	l.idle_timeout = 60;
	ft = flow_table_new(&l, &rec_ops, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	flow_table_free(ft);
	return 0;
}

/* side 0: 10.0.0.1:40000 (client), side 1: 10.0.0.2:80 */
static void
seg_full(int side, uint16_t cport, uint32_t seq, uint32_t ack, uint8_t flags,
    const char *data, uint32_t caplen, uint32_t len, int64_t sec)
{
	struct packet p;

	memset(&p, 0, sizeof p);
	p.number = ++pktno;
	p.ts.sec = sec;
	p.family = 4;
	p.src[0] = 10;
	p.src[3] = side ? 2 : 1;
	p.dst[0] = 10;
	p.dst[3] = side ? 1 : 2;
	p.sport = side ? 80 : cport;
	p.dport = side ? cport : 80;
	p.seq = seq;
	p.ack = ack;
	p.flags = flags;
	p.payload = (const uint8_t *)data;
	p.caplen = caplen;
	p.len = len;
	flow_input(ft, &p);
}

static void
seg(int side, uint32_t seq, uint8_t flags, const char *data)
{
	uint32_t n = data ? (uint32_t)strlen(data) : 0;

	seg_full(side, 40000, seq, 0, flags, data, n, n, 1);
}

static void
handshake(uint32_t cisn, uint32_t sisn)
{
	seg(0, cisn, TCPF_SYN, NULL);
	seg(1, sisn, TCPF_SYN | TCPF_ACK, NULL);
}

static void
expect(int c, int side, const char *s)
{
	assert_int_equal(R.len[c][side], strlen(s));
	assert_memory_equal(R.buf[c][side], s, strlen(s));
}

static void
test_in_order(void **state)
{
	(void)state;
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK, "GET / ");
	seg(0, 1007, TCPF_ACK, "HTTP/1.1\r\n");
	seg(1, 5001, TCPF_ACK, "HTTP/1.1 101\r\n");
	flow_finish(ft);
	expect(0, 0, "GET / HTTP/1.1\r\n");
	expect(0, 1, "HTTP/1.1 101\r\n");
	assert_int_equal(R.client[0], 0);
	assert_false(R.midstream[0]);
	assert_int_equal(R.end_kind[0], CONN_END_OPEN);
	assert_true(R.order_ok);
	/* Provenance: bytes name the packet that carried them. */
	assert_int_equal(R.first_pkt_at[0][0][0], 3);
	assert_int_equal(R.first_pkt_at[0][0][6], 4);
}

static void
test_reorder(void **state)
{
	(void)state;
	handshake(1000, 5000);
	seg(0, 1011, TCPF_ACK, "KLMNO");
	seg(0, 1006, TCPF_ACK, "FGHIJ");
	assert_int_equal(R.len[0][0], 0);
	seg(0, 1001, TCPF_ACK, "ABCDE");
	expect(0, 0, "ABCDEFGHIJKLMNO");
	assert_int_equal(R.gaps[0][0], 0);
	assert_true(R.order_ok);
	/* Released bytes keep their own packet numbers. */
	assert_int_equal(R.first_pkt_at[0][0][0], 5);
	assert_int_equal(R.first_pkt_at[0][0][5], 4);
	assert_int_equal(R.first_pkt_at[0][0][10], 3);
}

static void
test_duplicates_and_overlap(void **state)
{
	const struct flow_stats *st;

	(void)state;
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK, "ABCDE");
	seg(0, 1001, TCPF_ACK, "ABCDE");      /* duplicate */
	seg(0, 1004, TCPF_ACK, "DEFGH");      /* partial overlap */
	seg(0, 1012, TCPF_ACK, "LM");         /* out of order */
	seg(0, 1012, TCPF_ACK, "LM");         /* duplicate of a held one */
	seg(0, 1009, TCPF_ACK, "IJKLMN");     /* fills and overlaps held */
	expect(0, 0, "ABCDEFGHIJKLMN");
	st = flow_table_stats(ft);
	assert_int_equal(st->conflicts, 0);
	assert_true(st->retrans_bytes >= 5 + 2 + 2);
}

static void
test_conflicting_overlap(void **state)
{
	const struct flow_stats *st;

	(void)state;
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK, "ABCDE");
	seg(0, 1003, TCPF_ACK, "XYEFG");      /* C,D rewritten: first wins */
	expect(0, 0, "ABCDEFG");
	st = flow_table_stats(ft);
	assert_int_equal(st->conflicts, 1);
	/* Conflict between two held out-of-order segments. */
	seg(0, 1010, TCPF_ACK, "JKL");
	seg(0, 1010, TCPF_ACK, "JQL");
	seg(0, 1008, TCPF_ACK, "HI");
	expect(0, 0, "ABCDEFGHIJKL");
	assert_int_equal(flow_table_stats(ft)->conflicts, 2);
}

/*
 * A resend of bytes older than the 64 kept for comparison cannot be
 * checked: it is counted, segment and bytes, whether it differs or not;
 * the part within the kept bytes is still compared.
 */
static void
test_retrans_not_compared(void **state)
{
	const struct flow_stats *st;
	char                     a[81], b[41];

	(void)state;
	memset(a, 'a', 80);
	a[80] = '\0';
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK, a);            /* 80 bytes: 16 fall out */
	seg(0, 1001, TCPF_ACK, "aaaa");       /* all 4 before the tail */
	st = flow_table_stats(ft);
	assert_int_equal(st->unchecked, 1);
	assert_int_equal(st->unchecked_bytes, 4);
	assert_int_equal(st->conflicts, 0);
	/* 10 bytes before the tail (not compared), 30 in it, one differing. */
	memset(b, 'a', 40);
	b[39] = 'X';
	b[40] = '\0';
	seg(0, 1007, TCPF_ACK, b);
	assert_int_equal(st->unchecked, 2);
	assert_int_equal(st->unchecked_bytes, 4 + 10);
	assert_int_equal(st->conflicts, 1);
	/* Within the tail: compared, nothing more counted. */
	seg(0, 1061, TCPF_ACK, "aaaa");
	assert_int_equal(st->unchecked, 2);
	/* After a gap nothing before it is kept: all of a resend counts. */
	seg_full(0, 40000, 1081, 0, TCPF_ACK, "cccccccc", 4, 8, 1);
	assert_int_equal(R.gaps[0][0], 1);
	seg(0, 1085, TCPF_ACK, "dddd");
	assert_int_equal(st->unchecked, 3);
	assert_int_equal(st->unchecked_bytes, 4 + 10 + 4);
	assert_int_equal(st->conflicts, 1);
	/* A resend after the stream ended counts too. */
	seg(0, 1089, TCPF_FIN | TCPF_ACK, NULL);
	assert_int_equal(R.ended[0][0], 1);
	seg(0, 1001, TCPF_ACK, "aaaa");
	assert_int_equal(st->unchecked, 4);
	assert_int_equal(st->unchecked_bytes, 4 + 10 + 4 + 4);
	assert_int_equal(st->retrans_bytes, 4 + 40 + 4 + 4 + 4);
}

/* A later segment that starts before held ones does not rewrite them. */
static void
test_overlap_before_held(void **state)
{
	(void)state;
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK, "AB");
	seg(0, 1006, TCPF_ACK, "FGH");        /* held first */
	seg(0, 1010, TCPF_ACK, "JK");         /* held first */
	seg(0, 1004, TCPF_ACK, "DEXYZIQRS");  /* covers both, other bytes */
	seg(0, 1003, TCPF_ACK, "C");
	expect(0, 0, "ABCDEFGHIJKS");
	assert_int_equal(flow_table_stats(ft)->conflicts, 2);
}

static void
test_wraparound(void **state)
{
	(void)state;
	handshake(0xfffffff8u, 7);
	seg(0, 0xfffffff9u, TCPF_ACK, "0123456");  /* ends at 2^32 */
	seg(0, 0x00000004u, TCPF_ACK, "BCDE");     /* after the wrap: ooo */
	seg(0, 0x00000000u, TCPF_ACK, "7890");
	expect(0, 0, "01234567890BCDE");
	assert_int_equal(R.gaps[0][0], 0);
}

static void
test_gap_by_ack(void **state)
{
	(void)state;
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK, "ABCDE");
	seg(0, 1011, TCPF_ACK, "KLMNO");           /* 1006..1010 lost */
	assert_int_equal(R.gaps[0][0], 0);
	/*
	 * The server acknowledges past the hole: the bytes were sent. One
	 * ACK may be a capture reordering; the third settles it.
	 */
	seg_full(1, 40000, 5001, 1016, TCPF_ACK, NULL, 0, 0, 1);
	seg_full(1, 40000, 5001, 1016, TCPF_ACK, NULL, 0, 0, 1);
	assert_int_equal(R.gaps[0][0], 0);
	expect(0, 0, "ABCDE");
	seg_full(1, 40000, 5001, 1016, TCPF_ACK, NULL, 0, 0, 1);
	expect(0, 0, "ABCDE#####KLMNO");
	assert_int_equal(R.gaps[0][0], 1);
	assert_int_equal(R.gap_bytes[0][0], 5);
	assert_int_equal(R.gap_off[0][0], 5);
	/* Delivery continues after the gap. */
	seg(0, 1016, TCPF_ACK, "PQ");
	expect(0, 0, "ABCDE#####KLMNOPQ");
	assert_true(R.order_ok);
}

static void
test_ack_before_data(void **state)
{
	(void)state;
	handshake(1000, 5000);
	seg(0, 1006, TCPF_ACK, "FGHIJ");
	/* The capture shows the server's ACK before the data it covers. */
	seg_full(1, 40000, 5001, 1011, TCPF_ACK, NULL, 0, 0, 1);
	seg(0, 1001, TCPF_ACK, "ABCDE");
	expect(0, 0, "ABCDEFGHIJ");
	assert_int_equal(R.gaps[0][0], 0);
}

static void
test_gap_at_end(void **state)
{
	(void)state;
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK, "AB");
	seg(0, 1005, TCPF_ACK, "EF");
	flow_finish(ft);
	expect(0, 0, "AB##EF");
	assert_int_equal(R.gaps[0][0], 1);
}

static void
test_snaplen(void **state)
{
	(void)state;
	handshake(1000, 5000);
	seg_full(0, 40000, 1001, 0, TCPF_ACK, "ABCDEFGH", 3, 8, 1);
	seg(0, 1009, TCPF_ACK, "IJ");
	expect(0, 0, "ABC#####IJ");
	assert_int_equal(R.gaps[0][0], 1);
	assert_int_equal(R.gap_bytes[0][0], 5);
}

static void
test_fin_both_ways(void **state)
{
	(void)state;
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK | TCPF_FIN, "bye");
	assert_int_equal(R.ended[0][0], 1);
	assert_false(R.closed[0]);
	seg(1, 5001, TCPF_ACK | TCPF_FIN, NULL);
	assert_int_equal(R.ended[0][1], 1);
	assert_true(R.closed[0]);
	assert_int_equal(R.end_kind[0], CONN_END_FIN);
	expect(0, 0, "bye");
}

static void
test_fin_waits_for_data(void **state)
{
	(void)state;
	handshake(1000, 5000);
	seg(0, 1004, TCPF_ACK | TCPF_FIN, "DEF");  /* FIN ahead of a hole */
	assert_int_equal(R.ended[0][0], 0);
	seg(0, 1001, TCPF_ACK, "ABC");
	expect(0, 0, "ABCDEF");
	assert_int_equal(R.ended[0][0], 1);
}

static void
test_rst(void **state)
{
	(void)state;
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK, "hello");
	seg(1, 5001, TCPF_RST, NULL);
	assert_int_equal(R.ended[0][1], 2);
	assert_true(R.closed[0]);
	assert_int_equal(R.end_kind[0], CONN_END_RST);
}

static void
test_port_reuse(void **state)
{
	(void)state;
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK, "first");
	seg(0, 1006, TCPF_ACK | TCPF_FIN, NULL);
	/* A new SYN before the server's FIN: a new connection. */
	handshake(90000, 70000);
	seg(0, 90001, TCPF_ACK, "second");
	flow_finish(ft);
	assert_int_equal(R.nconns, 2);
	expect(0, 0, "first");
	expect(1, 0, "second");
	assert_true(R.closed[0]);
	assert_int_equal(R.end_kind[0], CONN_END_REUSED);
	assert_int_equal(R.ended[0][0], 1);
}

static void
test_midstream(void **state)
{
	(void)state;
	/* No SYN: the first packet is the server's data. */
	seg(1, 777, TCPF_ACK, "server-bytes");
	seg(0, 333, TCPF_ACK, "client-bytes");
	flow_finish(ft);
	assert_int_equal(R.nconns, 1);
	assert_true(R.midstream[0]);
	/* Side 0 is the first sender until a later stage says otherwise. */
	expect(0, 0, "server-bytes");
	expect(0, 1, "client-bytes");
}

static void
test_synack_first(void **state)
{
	(void)state;
	/* The SYN was not captured; the SYN+ACK still tells the client. */
	seg(1, 5000, TCPF_SYN | TCPF_ACK, NULL);
	seg(0, 1001, TCPF_ACK, "req");
	flow_finish(ft);
	assert_int_equal(R.nconns, 1);
	assert_int_equal(R.client[0], 0);
	expect(0, 0, "req");
}

static void
test_stray_ack_ignored(void **state)
{
	(void)state;
	seg(0, 1, TCPF_ACK, NULL);
	seg(1, 1, TCPF_RST, NULL);
	flow_finish(ft);
	assert_int_equal(R.nconns, 0);
	assert_int_equal(flow_table_stats(ft)->ignored, 2);
}

static void
test_cap_ooo(void **state)
{
	const struct flow_stats *st;

	(void)state;
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK, "AB");
	seg(0, 1005, TCPF_ACK, "EFGHIJ");      /* held: 6 bytes */
	seg(0, 1013, TCPF_ACK, "MNOPQR");      /* 12 > 10: give up on a hole */
	st = flow_table_stats(ft);
	assert_int_equal(st->ooo_dir_hits, 1);
	expect(0, 0, "AB##EFGHIJ");
	flow_finish(ft);
	expect(0, 0, "AB##EFGHIJ##MNOPQR");
	assert_true(R.order_ok);
}

/* Holes, a cap, FINs behind a hole, data, a new SYN: then the end. */
static void
ends_script(void)
{
	handshake(1000, 5000);
	seg(0, 1001, TCPF_ACK, "AB");
	seg(0, 1005, TCPF_ACK, "EFGHIJ");      /* held */
	seg(0, 1013, TCPF_ACK, "MNOPQR");      /* the cap gives up a hole */
	seg(1, 5001, TCPF_ACK | TCPF_FIN, NULL);
	seg(0, 1019, TCPF_ACK | TCPF_FIN, NULL); /* behind a hole: open */
	seg(1, 5002, TCPF_ACK, NULL);
	seg(0, 9000, TCPF_SYN, NULL);          /* port reuse: a second one */
	seg(1, 7000, TCPF_SYN | TCPF_ACK, NULL);
	seg(0, 9001, TCPF_ACK, "xyz");
	seg(0, 9004, TCPF_RST, NULL);
	seg(0, 9010, TCPF_ACK, "late");        /* after the RST: a third */
	flow_finish(ft);
}

/*
 * A table that follows TCP only (flow_table_no_bytes) holds no bytes and
 * passes none up, yet opens and ends the same connections at the same
 * packets as a full one under the same caps.
 */
static void
test_no_bytes_same_ends(void **state)
{
	static struct rec        full;
	const struct flow_stats *st;
	uint64_t                 hits, pkts, k;
	int                      i, s;

	ends_script();
	full = R;
	st = flow_table_stats(ft);
	hits = st->ooo_dir_hits;
	pkts = pktno;
	assert_int_equal(full.nconns, 3);
	assert_true(full.len[0][0] > 0);
	teardown(state);
	setup_small(state);
	flow_table_no_bytes(ft);
	ends_script();
	assert_int_equal(pktno, pkts);
	assert_int_equal(flow_table_stats(ft)->ooo_dir_hits, hits);
	assert_int_equal(R.nconns, full.nconns);
	for (i = 0; i < R.nconns; i++) {
		assert_int_equal(R.ids[i], full.ids[i]);
		assert_int_equal(R.closed[i], full.closed[i]);
		assert_int_equal(R.end_kind[i], full.end_kind[i]);
		assert_int_equal(R.ended[i][0], full.ended[i][0]);
		assert_int_equal(R.ended[i][1], full.ended[i][1]);
		assert_int_equal(R.gaps[i][0], full.gaps[i][0]);
		assert_int_equal(R.gap_bytes[i][0], full.gap_bytes[i][0]);
		assert_int_equal(R.gap_off[i][0], full.gap_off[i][0]);
		/* No byte went up: only the gaps' marks. */
		for (s = 0; s < 2; s++)
			for (k = 0; k < R.len[i][s]; k++)
				assert_true(R.buf[i][s][k] == '#' ||
				    R.buf[i][s][k] == 0);
	}
}

static void
test_many_ooo_in_order(void **state)
{
	/* More bytes than the recorder holds: count only. */
	static const struct stream_ops count_ops = {
		rec_open, NULL, NULL, NULL, NULL
	};
	static char        one[2] = "x";
	struct flow_limits l;
	uint32_t           i;

	(void)state;
	flow_table_free(ft);
	flow_limits_default(&l);
	ft = flow_table_new(&l, &count_ops, NULL);
	handshake(1000, 5000);
	/*
	 * 200,000 one-byte segments behind a hole, in order: held within the
	 * per-direction cap (each costs its header too), and quickly.
	 */
	for (i = 0; i < 200000; i++)
		seg_full(0, 40000, 1002 + i, 0, TCPF_ACK, one, 1, 1, 1);
	assert_true(flow_table_stats(ft)->ooo_bytes_max <= 4u << 20);
	assert_true(flow_table_stats(ft)->ooo_dir_hits > 0);
	flow_finish(ft);
	assert_int_equal(flow_table_stats(ft)->ooo_bytes, 0);
}

static void
test_cap_flows(void **state)
{
	(void)state;
	seg_full(0, 1, 100, 0, TCPF_SYN, NULL, 0, 0, 1);
	seg_full(0, 2, 100, 0, TCPF_SYN, NULL, 0, 0, 2);
	seg_full(0, 1, 101, 0, TCPF_ACK, "x", 1, 1, 3); /* 1 is now recent */
	seg_full(0, 3, 100, 0, TCPF_SYN, NULL, 0, 0, 4); /* evicts port 2 */
	assert_int_equal(flow_table_stats(ft)->evicted_lru, 1);
	assert_true(R.closed[1]);
	assert_int_equal(R.end_kind[1], CONN_END_EVICTED);
	assert_false(R.closed[0]);
	/* Idle for more than 60 s of capture time: both live ones go. */
	seg_full(0, 3, 101, 0, TCPF_ACK, "y", 1, 1, 30);
	assert_false(R.closed[0]);
	seg_full(0, 3, 102, 0, TCPF_ACK, "z", 1, 1, 80);
	assert_true(R.closed[0]);
	assert_int_equal(R.end_kind[0], CONN_END_IDLE);
	assert_false(R.closed[2]);
	assert_int_equal(flow_table_stats(ft)->evicted_idle, 1);
	expect(2, 0, "yz");
}

static void
test_many_flows_table(void **state)
{
	struct flow_limits l;
	int                i;

	(void)state;
	flow_table_free(ft);
	flow_limits_default(&l);
	ft = flow_table_new(&l, &(struct stream_ops){ NULL, NULL, NULL,
	    NULL, NULL }, NULL);
	/* Insert, then delete half by RST: probing must still find the rest. */
	for (i = 0; i < 5000; i++)
		seg_full(0, (uint16_t)(1000 + i), 1, 0, TCPF_SYN, NULL, 0, 0, 1);
	for (i = 0; i < 5000; i += 2)
		seg_full(1, (uint16_t)(1000 + i), 1, 0, TCPF_RST, NULL, 0, 0, 1);
	assert_int_equal(flow_table_stats(ft)->live, 2500);
	for (i = 1; i < 5000; i += 2)
		seg_full(1, (uint16_t)(1000 + i), 1, 0, TCPF_RST, NULL, 0, 0, 1);
	assert_int_equal(flow_table_stats(ft)->live, 0);
	assert_int_equal(flow_table_stats(ft)->conns, 5000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reorder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_and_overlap,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflicting_overlap,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_before_held,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_retrans_not_compared,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gap_by_ack, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ack_before_data, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gap_at_end, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_snaplen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin_both_ways, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fin_waits_for_data, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_reuse, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_midstream, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_synack_first, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stray_ack_ignored, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cap_ooo, setup_small,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_ooo_in_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_bytes_same_ends,
		    setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_cap_flows, setup_small,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_flows_table, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
