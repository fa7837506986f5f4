/*
 * replay-record: a replay's conversation as a capture (replay --record).
 * The socket's bytes each way, as they were written and read, go in
 * Ethernet/IPv4/TCP or Ethernet/IPv6/TCP frames between the socket's real addresses, at the
 * real times, after a SYN, SYN-ACK and ACK: analyze, browse and tshark
 * read it as any capture.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay-int.h"
#include "tcp-packet.h"

struct replay_record {
	pcap_t        *pcap;
	pcap_dumper_t *dump;
	int            v6;
	uint32_t       ip[2];        /* by role */
	uint8_t        ip6[2][16];
	uint16_t       port[2];
	uint32_t       seq[2];
	uint16_t       ip_id;
	uint8_t       *pkt;
};

static void replay_record_segment(struct replay_record *, int, uint8_t,
		const uint8_t *, size_t);

static void
replay_record_segment(struct replay_record *r, int role, uint8_t flags,
    const uint8_t *p, size_t n)
{
	struct pcap_pkthdr h;
	struct timespec    now;

	clock_gettime(CLOCK_REALTIME, &now);
	memset(&h, 0, sizeof h);
	h.ts.tv_sec = now.tv_sec;
	h.ts.tv_usec = (suseconds_t)now.tv_nsec;   /* nanosecond file */
	h.caplen = h.len = (bpf_u_int32)(r->v6 ?
	    tcp_packet_segment6(r->pkt, (const uint8_t (*)[16])r->ip6, r->port,
	    r->seq, role, flags, p, n) :
	    tcp_packet_segment(r->pkt, r->ip, r->port, r->seq, r->ip_id++,
	    role, flags, p, n));
	pcap_dump((u_char *)r->dump, &h, r->pkt);
}

struct replay_record *
replay_record_open(const char *path, const struct sockaddr *local,
    const struct sockaddr *peer, char *err, size_t errlen)
{
	const struct sockaddr_in  *l = (const void *)local, *p = (const void *)peer;
	const struct sockaddr_in6 *l6 = (const void *)local,
	                          *p6 = (const void *)peer;
	struct replay_record      *r;

	if (local->sa_family != peer->sa_family ||
	    (local->sa_family != AF_INET && local->sa_family != AF_INET6)) {
		snprintf(err, errlen, "--record writes IPv4 and IPv6 only");
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->pcap = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144,
	    PCAP_TSTAMP_PRECISION_NANO);
	r->dump = r->pcap != NULL ? pcap_dump_open(r->pcap, path) : NULL;
	if (r->dump == NULL) {
		snprintf(err, errlen, "%s: %s", path, r->pcap != NULL ?
		    pcap_geterr(r->pcap) : strerror(errno));
		if (r->pcap != NULL)
			pcap_close(r->pcap);
		free(r);
		return NULL;
	}
	r->pkt = xmalloc(TCP_PKT_HDR6_LEN + TCP_PKT_MAX_PAYLOAD);
	if (local->sa_family == AF_INET6) {
		r->v6 = 1;
		memcpy(r->ip6[ROLE_CLIENT], &l6->sin6_addr, 16);
		memcpy(r->ip6[ROLE_SERVER], &p6->sin6_addr, 16);
		r->port[ROLE_CLIENT] = ntohs(l6->sin6_port);
		r->port[ROLE_SERVER] = ntohs(p6->sin6_port);
	} else {
		r->ip[ROLE_CLIENT] = ntohl(l->sin_addr.s_addr);
		r->ip[ROLE_SERVER] = ntohl(p->sin_addr.s_addr);
		r->port[ROLE_CLIENT] = ntohs(l->sin_port);
		r->port[ROLE_SERVER] = ntohs(p->sin_port);
	}
	r->seq[ROLE_CLIENT] = 1000;
	r->seq[ROLE_SERVER] = 5000;
	replay_record_segment(r, ROLE_CLIENT, TCP_PKT_SYN, NULL, 0);
	replay_record_segment(r, ROLE_SERVER, TCP_PKT_SYN | TCP_PKT_ACK, NULL,
	    0);
	replay_record_segment(r, ROLE_CLIENT, TCP_PKT_ACK, NULL, 0);
	return r;
}

void
replay_record_data(struct replay_record *r, int role, const uint8_t *p,
    size_t n)
{
	size_t k;

	if (r == NULL)
		return;
	for (; n > 0; p += k, n -= k) {
		k = n < TCP_PKT_MAX_PAYLOAD ? n : TCP_PKT_MAX_PAYLOAD;
		replay_record_segment(r, role, TCP_PKT_ACK | TCP_PKT_PSH, p, k);
	}
}

void
replay_record_fin(struct replay_record *r, int role)
{
	if (r != NULL)
		replay_record_segment(r, role, TCP_PKT_ACK | TCP_PKT_FIN, NULL,
		    0);
}

int
replay_record_close(struct replay_record *r, char *err, size_t errlen)
{
	int rc = 0;

	if (r == NULL)
		return 0;
	if (pcap_dump_flush(r->dump) != 0) {
		snprintf(err, errlen, "could not write the recording: %s",
		    strerror(errno));
		rc = -1;
	}
	pcap_dump_close(r->dump);
	pcap_close(r->pcap);
	free(r->pkt);
	free(r);
	return rc;
}
