/*
 * flow: the connection table and per-direction TCP reassembly.
 *
 * Side 0 of a connection is the SYN sender when a SYN was captured, else
 * the sender of the first captured packet; conn->client says which side is
 * the client, and a later stage may settle it (conn_set_client()).
 *
 * Reassembled bytes leave through struct stream_ops, in order, each call
 * naming the packet that carried them: in-order payload is passed straight
 * from the capture buffer, only out-of-order segments are copied.
 */
#ifndef FLOW_H
#define FLOW_H

#include "packet.h"

enum conn_end {
	CONN_END_OPEN,     /* still open when the capture ended */
	CONN_END_FIN,      /* FIN both ways */
	CONN_END_FIN_HALF, /* FIN one way only */
	CONN_END_RST,
	CONN_END_IDLE,     /* evicted after the idle timeout */
	CONN_END_EVICTED,  /* evicted because the flow table was full */
	CONN_END_REUSED    /* a new SYN on the same 4-tuple replaced it */
};

#define CONN_SYN_SEEN    0x01 /* the client's SYN was captured */
#define CONN_SYNACK_SEEN 0x02
#define CONN_MIDSTREAM   0x04 /* picked up after the TCP handshake */
#define CONN_ROLE_GUESS  0x08 /* client side not yet known for sure */

struct ooo_seg;

struct tcp_dir {
	uint32_t        next_seq;  /* next sequence number expected */
	uint64_t        next_off;  /* its stream offset */
	uint32_t        isn;
	uint8_t         synced;    /* next_seq is meaningful */
	uint8_t         fin;       /* FIN seen (fin_seq valid) */
	uint8_t         rst;
	uint8_t         closed;    /* FIN delivered in order, or RST */
	uint32_t        fin_seq;
	uint64_t        fin_pkt;
	struct ooo_seg *ooo;       /* out-of-order segments, sorted */
	struct ooo_seg *ooo_last;  /* the last of them */
	uint64_t        ooo_bytes; /* what they cost: bytes and headers */
	uint64_t        packets;
	uint64_t        bytes;     /* payload bytes delivered */
	uint64_t        gaps;
	uint64_t        gap_bytes;
	uint64_t        retrans_bytes;
	uint64_t        conflicts; /* overlaps that carried different bytes */
	uint64_t        snap_gaps; /* gaps caused by the capture's snaplen */
	uint32_t        ack_hits;  /* ACKs past a hole since the last progress */
	uint32_t        tail_len;  /* last bytes delivered, for overlap checks */
	uint8_t         tail[64];
};

struct conn {
	uint64_t        id;        /* 1-based, in order of first packet */
	uint8_t         family;
	uint8_t         client;    /* 0 or 1: index of the client side */
	uint8_t         flags;     /* CONN_* */
	uint8_t         end;       /* enum conn_end */
	uint16_t        port[2];
	uint8_t         addr[2][16];
	struct wts      first_ts, last_ts;
	uint64_t        first_pkt, last_pkt, end_pkt;
	struct tcp_dir  dir[2];
	void           *user;      /* the upper stage's per-connection state */

	/* Flow table bookkeeping. */
	uint32_t        hash;
	struct conn    *lru_prev, *lru_next;
};

struct stream_ops {
	void (*open)(void *, struct conn *);
	/* side: 0 or 1 (the sender); off: stream offset of p[0]. */
	void (*data)(void *, struct conn *, int side, uint64_t off,
	    const uint8_t *p, size_t n, uint64_t pkt, struct wts ts);
	/* Bytes [off, off+len) of side's stream were never captured. */
	void (*gap)(void *, struct conn *, int side, uint64_t off, uint64_t len,
	    uint64_t pkt, struct wts ts);
	/* side ended its stream with FIN (rst=0) or RST (rst=1). */
	void (*end)(void *, struct conn *, int side, int rst, uint64_t pkt,
	    struct wts ts);
	/* The connection leaves the table: conn->end says why. */
	void (*close)(void *, struct conn *);
};

struct flow_limits {
	uint64_t max_flows;      /* live connections; LRU eviction past it */
	uint64_t idle_timeout;   /* seconds of capture time; 0 = never */
	uint64_t ooo_per_dir;    /* out-of-order bytes held per direction */
	uint64_t ooo_total;      /* out-of-order bytes held in all */
	/*
	 * With shards > 0, only connections whose 4-tuple hash (the same
	 * both ways) falls in shard of 0..shards-1 are followed: the others'
	 * packets are read and not decoded.
	 */
	uint32_t shard, shards;
};

struct flow_stats {
	uint64_t conns;          /* connections seen */
	uint64_t live, live_max;
	uint64_t evicted_lru;    /* cap hits: max_flows */
	uint64_t evicted_idle;
	uint64_t ooo_dir_hits;   /* cap hits: ooo_per_dir */
	uint64_t ooo_total_hits; /* cap hits: ooo_total */
	uint64_t ooo_bytes, ooo_bytes_max;
	uint64_t gaps, gap_bytes;
	uint64_t conflicts;
	uint64_t retrans_bytes;
	/* Resent segments (and bytes) too old to compare, see tcp_dir.tail. */
	uint64_t unchecked, unchecked_bytes;
	uint64_t ignored;        /* segments that fit no connection */
};

void flow_limits_default(struct flow_limits *);
/*
 * The hash of a packet's 4-tuple, the same in both directions: the flow
 * table's slot, the shard and the worker of its connection.
 */
uint32_t flow_hash(const struct packet *);
/* 1 when a connection of hash h is one the limits' shard follows. */
int      flow_in_shard(const struct flow_limits *, uint32_t h);
/* What holding an out-of-order segment of caplen bytes costs the caps. */
uint64_t flow_ooo_cost(uint32_t caplen);

struct flow_table;
struct flow_table *flow_table_new(const struct flow_limits *,
    const struct stream_ops *, void *ctx);
void               flow_input(struct flow_table *, const struct packet *);
/* The same, given the packet's flow_hash (computed once per packet). */
void               flow_input_hashed(struct flow_table *,
    const struct packet *, uint32_t h);
/*
 * Connection ids from fn (given the ordinal of the connection's first
 * packet) instead of counted by the table: tables that share a capture
 * then number its connections as one table would.
 */
typedef uint64_t flow_id_fn(void *, uint64_t first_pkt);
void               flow_table_ids(struct flow_table *, flow_id_fn *, void *);
/*
 * The table follows TCP only, for its connections' opens and ends: no
 * bytes are passed up (stream_ops.data is not called), out-of-order
 * segments are held without their bytes (they cost the caps as if they
 * had them, so the table opens and ends connections where a full one
 * does), and overlaps are not compared.
 */
void               flow_table_no_bytes(struct flow_table *);
/* End of capture: flush every hole as a gap, close every connection. */
void               flow_finish(struct flow_table *);
const struct flow_stats *flow_table_stats(const struct flow_table *);
void               flow_table_free(struct flow_table *);

void conn_set_client(struct conn *, int side);
const char *conn_end_name(enum conn_end);

#endif
