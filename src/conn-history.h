/*
 * conn-history: what a connection leaves for its verdict. The session
 * owns one per connection and fills it as frames, messages, violations
 * and ends go by; at the connection's end verdict.c reads it, and only
 * reads it.
 */
#ifndef CONN_HISTORY_H
#define CONN_HISTORY_H

#include "http-upgrade.h"
#include "ping.h"
#include "rules.h"
#include "sink.h"

#define HIST_FRAMES 64  /* recent frames kept per role for attribution */
#define HIST_VIOLS  16
/*
 * Violations of a side held until the peer reacts (a frame, a close, an
 * end): they leave saying whether the peer tolerated them. Past this many
 * the next one leaves at once, undecided.
 */
#define HIST_PENDING 4

struct hist_frame {
	uint64_t   index;
	uint64_t   first_pkt;
	struct wts ts;
	uint64_t   payload_len;
	uint64_t   message_id;
	uint64_t   msg_wire;       /* message size on the wire up to this frame */
	uint64_t   max_msg_before; /* largest message completed before it */
	uint64_t   max_frame_before;
	uint64_t   msg_decoded;    /* set when its message ends */
	uint8_t    opcode, fin, msg_done, msg_compressed;
	uint8_t    msg_capped;     /* inflation stopped at --max-inflate: msg_decoded is a lower bound */
};

struct hist_viol {
	enum rule_id rule;          /* may be a strict-only rule that was not reported */
	enum finding_class class;
	uint64_t    pkt;
	uint64_t    frame_index;
	int         has_frame;
	struct wts  ts;
};

struct role_state {
	int               ended;        /* FIN or RST seen from this role */
	int               rst;
	uint64_t          end_pkt;
	struct wts        end_ts;
	/*
	 * wss://: the first TLS alert this role sent (close_notify, or a
	 * fatal one with its description), part of how it ended; NULL none.
	 */
	const char       *tls_alert;
	int               tls_alert_fatal;
	uint64_t          tls_alert_pkt;
	int               close_sent;
	int               blind;        /* its decoder stopped: frames unseen */
	int               close_code;   /* -1 none; WS_CLOSE_NO_CODE for an empty payload */
	int               close_no_code; /* its close frame had an empty payload */
	char              reason[124];
	uint8_t           reason_len;
	uint64_t          close_pkt;
	uint64_t          close_frame;
	struct wts        close_ts;
	uint64_t          frames, messages;
	uint64_t          max_msg, max_frame;  /* largest completed so far */
	uint64_t          cur_msg_id, cur_msg_wire;
	int               in_msg;
	/* Allocated on first use: most TCP connections never need them. */
	struct hist_frame *hf;            /* HIST_FRAMES, a ring */
	uint64_t          nhf;
	struct hist_viol  *hv;            /* HIST_VIOLS, a ring */
	uint64_t          nhv;
	uint64_t          gaps, gap_bytes, snap_gaps;
	/*
	 * After the decoder resynchronised (a gap, a start inside a frame)
	 * its framing is a guess: no violation is blamed until TRUST_RUN
	 * frames in a row decode without one.
	 */
	uint64_t          resyncs_seen;
	int               distrust;
	uint32_t          clean_run;
	uint64_t          dirty_frame;  /* index + 1 of the last faulted frame */
	uint64_t          suppressed;
	uint64_t          first_gap_pkt;
	struct wts        first_gap_ts;
	struct ping_track ping;         /* its pings, the peer's pongs */
	int               has_byte, has_data_frame;
	struct wts        last_byte_ts, last_data_frame_ts;
	/* When it ended TCP first: quiet time before, in ns; -1 unknown. */
	int64_t           idle_ns, idle_data_ns;
	/*
	 * HIST_PENDING violations of its own, oldest first; the tolerance of
	 * those the peer sent a frame after is TOL_CARRIED_ON.
	 */
	struct finding   *pend;
	unsigned          npend;
	uint64_t          tolerated;    /* the peer's violations it carried on after */
	enum rule_id      tolerated_rule;  /* the first of them */
};

struct conn_history {
	struct role_state       rs[2];          /* by role */
	/* Filled at the connection's end, before the verdict. */
	int                     handshake_seen;
	enum ws_ext             ext;
	const struct http_head *req, *resp;     /* NULL: not seen */
	uint64_t                server_key;     /* size-limits.c's key of the server */
	uint64_t                resync_skipped[2]; /* by role */
	int                     findings;       /* said before the verdict */
	int                     hs_findings;    /* of them, handshake ones */
};

#endif
