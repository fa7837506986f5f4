/*
 * The state session.c keeps per connection. Private to session.c; what
 * the verdict reads of it is its struct conn_history.
 */
#ifndef SESSION_INT_H
#define SESSION_INT_H

#include "analysis-int.h"
#include "conn-history.h"
#include "session.h"
#include "stage.h"

#define TRUST_RUN   8   /* clean frames that end the doubt after a resync */

/* What a connection's first bytes say it is: the chain to build. */
enum sess_kind { SESS_HTTP, SESS_FRAMES, SESS_TLS };

#define SESS_SPANS 32  /* packets remembered per side, for a frame's packet list */
#define SESS_PACKETS_TEXT 160  /* longest list, "first,...," and the latest runs */
struct pkt_span {
	uint64_t pkt, start, end;   /* stream bytes [start, end) came in pkt */
};

#define SESS_PRE 24   /* > the longest prefix http_undecided holds back (21) */

struct sess {
	struct analysis     *an;
	struct conn         *c;
	/* Where the connection's bytes go: the first stage of its chain. */
	struct stage         head;
	/*
	 * The slot detection sits in and the chain it builds goes to: head,
	 * or behind a TLS stage, the stage its plaintext goes to.
	 */
	struct stage        *in;
	struct tls_stage    *tls;             /* a ClientHello was seen */
	/* With an analysis tap: the stage the tap passes the bytes on to. */
	struct stage         tapped;
	int                  is_ws;           /* frames, with or without handshake */
	int                  interesting;    /* stored: WS, upgrade, finding */
	struct http_exchange *hx;             /* once HTTP was seen; to the end */
	/*
	 * The first bytes of a side, too few to tell HTTP from anything
	 * else ("GE" of a GET split over segments): held until they can.
	 */
	uint8_t              pre[2][SESS_PRE];
	size_t               pre_len[2];
	uint64_t             pre_off[2], pre_pkt[2];
	struct wts           pre_ts[2];
	int                  findings;
	int                  hs_findings;     /* of them, handshake ones */
	const struct hs_result *hs;          /* the exchange's, for the decoders */
	struct stage_hold    hold;            /* the probe's other side */
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
