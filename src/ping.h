/*
 * ping: pings of one side and the pongs of its peer that answer them
 * (RFC 6455 5.5.2-5.5.3). A pong answers the ping whose payload it
 * carries; it also answers every older ping still waiting, since an
 * endpoint may answer only the most recent one. A pong that matches no
 * waiting ping is unsolicited (allowed: a heartbeat).
 *
 * Bounded: PING_WAITING pings wait per side; older ones pushed out are
 * only counted, with the first one's packet and time: a later answer
 * answers them too; else they are judged together, unanswered when the
 * first of them waited PING_WAIT_NS by the end (a flood is unanswered). Round trips are
 * kept for the first PING_RTT_KEEP answers (the median is theirs); min and
 * max see all.
 */
#ifndef PING_H
#define PING_H

#include "wsautopsy.h"

#define PING_WAITING  16
#define PING_RTT_KEEP 512
/*
 * A ping still waiting this long after it was sent, while the capture
 * still saw the connection, is unanswered; a younger one is pending.
 */
#define PING_WAIT_NS  2000000000LL

struct ping_wait {
	uint64_t   key;    /* payload length and kept bytes, hashed */
	uint64_t   pkt;
	struct wts ts;
};

struct ping_track {
	uint64_t         pings;
	uint64_t         answered;     /* by a pong that matched it or a later ping */
	uint64_t         unsolicited;  /* the peer's pongs that matched none */
	uint64_t         pushed_out;   /* pushed out while waiting: too many */
	uint64_t         out_waiting;  /* of them, not answered since */
	uint64_t         out_first_pkt;
	struct wts       out_first_ts;
	struct ping_wait wait[PING_WAITING];   /* oldest first */
	unsigned         nwait;
	uint32_t        *rtt_us;       /* PING_RTT_KEEP, allocated on the first answer */
	unsigned         nrtt;
	uint64_t         rtt_min_us, rtt_max_us;
};

/* What a side's pings came to when the connection ended. */
struct ping_stats {
	uint64_t   pings, answered, unanswered, pending;
	uint64_t   first_unanswered_pkt;  /* 0 none */
	struct wts first_unanswered_ts;
	double     rtt_min_ms, rtt_median_ms, rtt_max_ms;  /* -1 when none */
};

/* A ping of the side: its declared length and the payload bytes kept. */
void ping_sent(struct ping_track *, uint64_t len, const uint8_t *, size_t,
    uint64_t pkt, struct wts);
/* A pong of the peer; 1 when it answered a waiting ping. */
int  ping_pong(struct ping_track *, uint64_t len, const uint8_t *, size_t,
    struct wts);
/*
 * The side's pings as of last, the last time the connection was seen: a
 * ping waiting PING_WAIT_NS or more by then is unanswered.
 */
void ping_stats(const struct ping_track *, struct wts last,
    struct ping_stats *);
void ping_free(struct ping_track *);

#endif
