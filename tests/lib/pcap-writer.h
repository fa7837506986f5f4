/*
 * pcap-writer: the captures the tests, the test tools and the benchmark
 * write, the same bytes on every host: classic pcap (microsecond or
 * nanosecond timestamps) or pcapng, Ethernet frames carrying IPv4 and
 * TCP with correct checksums, and TCP conversations whose sequence and
 * acknowledgement numbers it keeps.
 *
 * Writing never stops a caller: the first write error is kept in err
 * (an errno value) and pw_end reports it.
 */
#ifndef PCAP_WRITER_H
#define PCAP_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcp-packet.h"

enum pw_format {
	PW_PCAP,        /* classic, microseconds */
	PW_PCAP_NSEC,   /* classic, nanoseconds */
	PW_PCAPNG       /* one section, one Ethernet interface, microseconds */
};

struct pw {
	FILE          *f;
	enum pw_format format;
	int            err;      /* errno of the first failed write; 0 */
	uint64_t       packets;  /* records written */
	uint64_t       bytes;    /* bytes written, headers included */
	/* Conversations (struct pw_conn) only. */
	int64_t        t_ns;     /* time of the next packet */
	int64_t        step_ns;  /* added after each packet */
	uint16_t       ip_id;    /* IPv4 id of the next packet */
	uint8_t       *pkt;      /* room for one packet */
};

/* Big-endian and little-endian stores. */
void     pw_put16(uint8_t *, uint16_t);
void     pw_put32(uint8_t *, uint32_t);
void     pw_putle32(uint8_t *, uint32_t);

/* Writes the file header (link type Ethernet); snaplen as given. */
void     pw_begin(struct pw *, FILE *, enum pw_format, uint32_t snaplen);
/* Flushes; returns 0, or -1 with errno set when a write failed. The
 * FILE stays open. */
int      pw_end(struct pw *);
/* Bytes written as they are (to damage a file on purpose). */
void     pw_raw(struct pw *, const void *, size_t);
/* One record at t_ns: caplen of the packet's len bytes are in the file.
 * Returns its 1-based number. */
uint64_t pw_record(struct pw *, int64_t t_ns, const void *, size_t caplen,
	     size_t len);

/* The segments' flags and sizes (src/tcp-packet.h). */
#define PW_FIN TCP_PKT_FIN
#define PW_SYN TCP_PKT_SYN
#define PW_RST TCP_PKT_RST
#define PW_PSH TCP_PKT_PSH
#define PW_ACK TCP_PKT_ACK
#define PW_HDR_LEN     TCP_PKT_HDR_LEN
#define PW_OPT_MAX     TCP_PKT_OPT_MAX
#define PW_MAX_PAYLOAD TCP_PKT_MAX_PAYLOAD

/*
 * A TCP conversation between side PW_CLIENT and side PW_SERVER: MAC
 * addresses 00:00:00:00:00:02 (client) and :01 (server), TTL 64, window
 * 65535. Each packet is written at w->t_ns, which then advances by
 * w->step_ns; its IPv4 id is w->ip_id++. Every packet with PW_ACK
 * acknowledges all the peer has sent, including bytes skipped by moving
 * seq, so a later packet from the peer reveals the hole.
 */
#define PW_CLIENT 0
#define PW_SERVER 1

struct pw_conn {
	struct pw *w;
	uint32_t   ip[2];      /* by side */
	uint16_t   port[2];
	uint32_t   seq[2];     /* next sequence number of each side */
};

/* The sequence numbers start at 0: set seq to start elsewhere. */
void     pw_conn_init(struct pw_conn *, struct pw *, uint32_t client_ip,
	     uint16_t client_port, uint32_t server_ip, uint16_t server_port);
/* One segment from side; returns its packet number. */
uint64_t pw_segment(struct pw_conn *, int side, uint8_t flags, const void *,
	     size_t n);
/* The same, cut by the snaplen: caplen of the n payload bytes captured. */
uint64_t pw_segment_cut(struct pw_conn *, int side, uint8_t flags,
	     const void *, size_t n, size_t caplen);
/* n bytes from side in ACK|PSH segments of at most mss bytes; returns
 * the number of the first (0 when n is 0). */
uint64_t pw_send(struct pw_conn *, int side, const void *, size_t n,
	     size_t mss);
/* SYN, SYN-ACK, ACK; returns the number of the ACK. */
uint64_t pw_tcp_open(struct pw_conn *);
/* Server FIN, client FIN, server ACK; returns the number of the ACK. */
uint64_t pw_tcp_close(struct pw_conn *);

#endif
