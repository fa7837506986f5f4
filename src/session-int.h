/*
 * The state session.c keeps per connection and verdict.c reads at the
 * connection's end. Private to those two files.
 */
#ifndef SESSION_INT_H
#define SESSION_INT_H

#include "analysis-int.h"
#include "session.h"

#define HIST_FRAMES 64  /* recent frames kept per role for attribution */
#define HIST_VIOLS  16
#define TRUST_RUN   8   /* clean frames that end the doubt after a resync */

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
	int               close_sent;
	int               blind;        /* its decoder stopped: frames unseen */
	int               close_code;   /* -1 none */
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
};

enum sess_state { SS_DETECT, SS_HTTP, SS_WS, SS_IGNORE };

struct hold_chunk {
	uint64_t   off, pkt;
	size_t     at, len;
	struct wts ts;
};
#define HOLD_MAX    65536
#define HOLD_CHUNKS 32

#define SESS_SPANS 32  /* packets remembered per side, for a frame's packet list */
#define SESS_PACKETS_TEXT 160  /* longest list, "first,...," and the latest runs */
struct pkt_span {
	uint64_t pkt, start, end;   /* stream bytes [start, end) came in pkt */
};

#define SESS_PRE 24   /* > the longest prefix http_undecided holds back (21) */

struct sess {
	struct analysis     *an;
	struct conn         *c;
	enum sess_state      state;
	int                  interesting;    /* stored: WS, upgrade, finding */
	int                  handshake_seen;
	int                  upgrade_pending;
	uint64_t             pending_reqs;    /* requests not yet answered */
	/*
	 * A gap inside the HTTP exchange: that side's bytes are skipped from
	 * cut_off until WebSocket decoding starts, which is then told of
	 * them as one gap.
	 */
	int                  cut[2];
	uint64_t             cut_off[2];
	uint64_t             next_off[2];     /* after the last byte seen */
	/*
	 * The first bytes of a side, too few to tell HTTP from anything
	 * else ("GE" of a GET split over segments): held until they can.
	 */
	uint8_t              pre[2][SESS_PRE];
	size_t               pre_len[2];
	uint64_t             pre_off[2], pre_pkt[2];
	struct wts           pre_ts[2];
	uint64_t             head_fed[2];     /* bytes of the current head */
	int                  saw_101;         /* a response began "HTTP/1.1 101" */
	/* A head that did not parse, and whether its finding was said. */
	int                  bad[2], bad_said[2];
	uint64_t             bad_pkt[2];
	struct wts           bad_ts[2];
	int                  findings;
	int                  hs_findings;     /* of them, handshake ones */
	struct http_parser  *hp[2];          /* by side */
	struct http_body     body[2];
	int                  in_body[2];
	struct http_head    *req, *resp;
	struct hs_result    *hs;
	uint64_t             resp_pkt;
	struct wts           resp_ts;
	uint8_t             *hold;
	size_t               hold_len;
	struct hold_chunk   *chunks;          /* HOLD_CHUNKS, with hold */
	int                  nchunks;
	struct ws_dir       *ws[2];          /* by side */
	/* Which packets carried the latest bytes fed to each side's decoder. */
	struct pkt_span     *span[2];         /* SESS_SPANS, a ring; on first use */
	uint64_t             nspan[2];
	/*
	 * WebSocket picked up without a handshake: each side's decoder starts
	 * at that side's first bytes, at a frame boundary, on a guess to
	 * confirm (ws_dir_probe) or searching for one. probing: sides whose
	 * decoder probes. probe: the connection itself rests on the guess of
	 * probe_side, and the other side's bytes are held until it is settled.
	 */
	int                  midstream_ws;
	int                  probing;         /* bit per side */
	int                  probe;
	int                  probe_side;
	int                  probe_masked;
	enum ws_ext          ext;
	struct role_state    rs[2];          /* by role */
	const char          *limit_profile[2]; /* the one profile a limit fits */
	/*
	 * The server refused a client message (1009): only messages before
	 * it, the largest taken_before, show what it takes.
	 */
	int                  refused;
	uint64_t             taken_before;
	struct conn_summary *cs;             /* while the verdict is written */
	struct analysis_ctx_side {
		struct sess *s;
		int          side;
	}                    cb[2];
};


int  sess_role(const struct sess *, int side);
/* The slot of the connection's server, or NULL when the table is full. */
uint64_t sess_server_key(const struct sess *);
void sess_emit(struct sess *, struct finding *);
/* verdict.c: closes, abnormal ends and capture limits at connection end. */
void verdict_conn_end(struct sess *, struct conn_summary *);

#endif
