/*
 * The state session.c keeps per connection. Private to session.c; what
 * the verdict reads of it is its struct conn_history.
 */
#ifndef SESSION_INT_H
#define SESSION_INT_H

#include "analysis-int.h"
#include "conn-history.h"
#include "session.h"

#define TRUST_RUN   8   /* clean frames that end the doubt after a resync */

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
	struct conn_history  hist;           /* for the verdict */
	struct analysis_ctx_side {
		struct sess *s;
		int          side;
	}                    cb[2];
};


#endif
