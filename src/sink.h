/*
 * sink: the one interface through which the analysis reports what it
 * learned. The SQLite store is one sink; tests use a recording sink.
 * Analysis code never calls SQLite.
 *
 * Order of calls for one capture: capture_begin, then per connection any
 * number of frame/message/finding calls followed by exactly one conn_end
 * (frames and findings of a connection always precede its conn_end), then
 * any finding_update calls, then any limits_row calls, then capture_end. Connection ids (struct conn.id, conn_summary.id) are
 * 1-based within the capture.
 */
#ifndef SINK_H
#define SINK_H

#include "http-upgrade.h"
#include "ws.h"

enum role { ROLE_CLIENT = 0, ROLE_SERVER = 1 };

struct capture_set_info;

struct capture_info {
	const char *path;
	const char *name;        /* basename, the "capture" column */
	char        sha256[65];  /* "" when it comes with capture_end */
	uint64_t    size;
	int         linktype;
	/*
	 * The options that change what is found, as a command line would
	 * give them ("-f 'tcp port 80' --strict"); "" for the defaults. Part
	 * of the capture's identity with its SHA-256.
	 */
	char        options[512];
};

struct capture_summary {
	uint64_t packets, bytes, tcp_packets, fragments, not_tcp, short_pkts;
	uint64_t packets_matched;  /* of packets, those the filter let through */
	uint64_t malformed, truncated_pkts;
	uint64_t connections, ws_connections, frames, messages, findings;
	uint64_t by_class[FINDING_CLASSES];	/* findings, by finding_class_names */
	uint64_t gaps, gap_bytes, conflicts;
	uint64_t unchecked, unchecked_bytes; /* resends too old to compare, and their bytes */
	/* Caps that triggered (each a counter; 0 = never). */
	uint64_t cap_flows, cap_idle, cap_ooo_dir, cap_ooo_total;
	uint64_t cap_inflate;    /* messages whose inflation stopped at --max-inflate */
	uint64_t cap_bounds;     /* 1009 closes past LIMIT_CASES_MAX: bounds not revisited */
	/* TLS connections; of them, those the key logs had no secrets for,
	 * and those that chose HTTP/2 (ALPN h2). */
	uint64_t tls_connections, tls_no_keys, tls_h2;
	uint64_t peak_live, peak_ooo_bytes;
	int      complete;       /* 0: stopped early (damaged file, SIGINT) */
	uint64_t size;           /* bytes read, when capture_info.size was 0 (a pipe) */
	/*
	 * The capture's SHA-256 when capture_info.sha256 was left empty (it
	 * is computed while the analysis runs); "" otherwise.
	 */
	char     sha256[65];
	char     error[512];     /* why it stopped early */
	uint64_t duplicates;     /* packets read twice by overlapping files */
	/* The files read and their spans of packets (capture-set.h). */
	const struct capture_set_info *set;
};

/* What a 1009's bounds are about. */
enum limit_basis {
	LIMIT_BASIS_NONE,
	LIMIT_BASIS_PAYLOAD,   /* an uncompressed message's payload */
	LIMIT_BASIS_INFLATED,  /* a compressed message, inflated */
	/*
	 * A compressed message larger on the wire than inflated: a stack that
	 * counts the wire size (ws) refused it there; what other connections
	 * took bounds the limit by inflated sizes.
	 */
	LIMIT_BASIS_WIRE_OR_INFLATED,
	LIMIT_BASIS_FRAME,     /* one frame's payload (Netty, Jetty) */
	LIMIT_BASIS__COUNT
};
extern const char *const limit_basis_names[LIMIT_BASIS__COUNT];

/* Where the size a remedy names came from. */
enum limit_source {
	LIMIT_SRC_NONE,
	LIMIT_SRC_REASON,      /* the close reason states it */
	LIMIT_SRC_PROFILE,     /* the default of the fingerprinted stack */
	LIMIT_SRC_TAKEN,       /* the largest size the closer took */
	LIMIT_SRC_OPTION,      /* --max-message / --max-frame / --profile */
	LIMIT_SRC__COUNT
};
extern const char *const limit_source_names[LIMIT_SRC__COUNT];

enum finding_kind {
	FINDING_CLOSE, FINDING_VIOLATION, FINDING_HANDSHAKE, FINDING_ABNORMAL,
	FINDING_CAPTURE
};

enum tolerance {
	TOL_NONE,       /* not judged: not a violation */
	TOL_FAILED,     /* the receiver failed the connection (close, TCP end) */
	TOL_CARRIED_ON, /* it went on sending, or closed normally */
	TOL_UNKNOWN     /* the capture ended before it reacted */
};

struct finding {
	uint64_t          conn_id;
	enum finding_kind kind;
	enum finding_class class;   /* CLASS_1002 to CLASS_OTHER */
	int               code;      /* sent, or what a conforming peer sends; -1 */
	int               sender;    /* enum role; -1 unknown */
	enum rule_id      rule;      /* RULE_NONE for a plain close */
	uint64_t          packet;    /* first header byte of the frame concerned */
	int64_t           frame_index; /* among the sender's frames; -1 none */
	struct wts        time;
	char              explanation[512];
	char              detail[512];   /* rule-specific: expected/seen, value */
	/* Closes only. */
	char              reason[124];   /* raw close reason bytes, NUL-ended */
	uint8_t           reason_len;
	int               answered;      /* the close answered the peer's close */
	int               has_offending;
	uint64_t          offending_packet;
	int64_t           offending_frame_index;
	int               offending_sender;
	enum rule_id      offending_rule;   /* RULE_NONE none */
	/* 1009 closes. */
	int               has_limit;
	uint64_t          limit_min, limit_max;
	int64_t           limit_from_reason;  /* -1 when the reason states none */
	uint64_t          remedy_limit;  /* the size the remedy names; 0 none */
	enum limit_source remedy_source;
	char              matching_profiles[256];
	/* 1009 closes: the numbers limits_render writes the detail from. */
	enum limit_basis  limit_basis;
	uint64_t          limit_size;    /* the message (frame) at the offending frame */
	uint64_t          limit_wire, limit_inflated; /* compressed: both sizes */
	int               limit_capped;  /* inflation stopped: size is a floor */
	uint64_t          took_elsewhere;    /* raised the lower bound; 0 */
	uint64_t          refused_elsewhere; /* lowered the upper bound; 0 */
	/* Another connection's evidence the bounds cannot hold: 0 none. */
	uint64_t          disagree_size;
	int               disagree_took;     /* 1 taken above, 0 refused below */
	int64_t           cand_first, cand_last; /* fragments that may have crossed it */
	uint64_t          cand_below;    /* cand_first did, if the limit is below */
	uint64_t          later_frames;  /* the peer's frames after it, before the close */
	char              remedy[512];   /* rendered from the rule and the numbers */
	int               remedy_set;    /* remedy written by its finder: kept */
	char              cause[256];    /* its own cause; "" the rule's */
	uint64_t          update_slot;   /* 1-based key of finding_update; 0 none */
	/* Violations only: what the receiver (!sender) did after it. */
	enum tolerance    tolerance;
};

/* Everything known about a connection when it leaves the flow table. */
struct conn_summary {
	uint64_t    id;
	char        client[64], server[64];   /* "ip:port", "[v6]:port" */
	struct wts  first_ts, last_ts;
	uint64_t    first_pkt, last_pkt;
	int         websocket;       /* frames were decoded */
	int         handshake_seen;  /* the Upgrade request and response */
	int         midstream;       /* TCP picked up after its handshake */
	int         role_guessed;
	const struct http_head *request;   /* NULL when not captured */
	const struct http_head *response;
	const struct hs_result *handshake; /* NULL when no response */
	const char *extensions_state;      /* "none" "permessage-deflate" "unknown" */
	uint64_t    bytes[2];        /* by enum role */
	uint64_t    frames[2], messages[2], gaps[2], gap_bytes[2];
	int         close_code[2];   /* first close frame's code; -1 none */
	char        close_reason[2][124];
	uint8_t     close_reason_len[2]; /* exact: a reason may hold NUL */
	const char *verdict;         /* class of the connection's main finding
	                                (finding_class_names, "open", "none") */
	/* The likely WebSocket stack of each side, and why; "" unknown. */
	char        stack[2][48];
	char        stack_evidence[2][256];
	const char *tcp_end;         /* conn_end_name() */
	int         ended_by;        /* role that ended it (close, FIN, RST); -1 */
	uint64_t    end_packet;
	/* Pings each side sent (ping.h); rtt in ms, -1 none. */
	uint64_t    pings[2], ping_answers[2], pings_unanswered[2];
	double      ping_rtt_min[2], ping_rtt_median[2], ping_rtt_max[2];
	/*
	 * An abnormal end (FIN or RST with no close frame): seconds since the
	 * last byte either way, and since the last data frame; -1 none.
	 */
	int         has_idle;
	double      idle_before_end, idle_data_before_end;
	/*
	 * TLS (wss://): tls_version NULL when the connection is not TLS.
	 * Copies, not pointers: the summary outlives the connection (and
	 * the key log) on its way to an asynchronous sink.
	 */
	const char *tls_version;     /* a static "TLS 1.3"; "unknown" before a ServerHello */
	char        tls_cipher[48];  /* IANA name; "" unknown */
	char        tls_sni[256];    /* "" none */
	char        tls_alpn[128];   /* the chosen protocol, or the offer */
	int         tls_decrypted;
	char        tls_keylog[512]; /* the key log source; "" none */
};

/*
 * The evidence of the capture-end bounds pass (size-limits.h), one row at
 * a time, so that the pass can run again over several shards' databases.
 */
struct limits_row {
	/* A kept 1009 close as first sent, its update_slot set; NULL: one
	 * server's sizes. */
	const struct finding *f;
	const char           *text;   /* numbers size-limits.c reads back */
};

struct sink_ops {
	int  (*capture_begin)(void *, const struct capture_info *);
	void (*frame)(void *, uint64_t conn_id, int sender,
		const struct ws_frame *);
	void (*message)(void *, uint64_t conn_id, int sender,
		const struct ws_message *);
	void (*finding)(void *, const struct finding *);
	void (*conn_end)(void *, const struct conn_summary *);
	/* Returns 0 when everything was stored. */
	int  (*capture_end)(void *, const struct capture_summary *);
	/*
	 * At the capture's end, before capture_end: the bounds pass changed
	 * a finding sent earlier with the same update_slot. Its limit fields,
	 * offending frame, matching profiles, detail and remedy replace the
	 * earlier ones.
	 */
	void (*finding_update)(void *, const struct finding *);
	/* After the finding_update calls: the bounds pass's evidence. */
	void (*limits_row)(void *, const struct limits_row *);
};

#endif
