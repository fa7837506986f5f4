/*
 * The client side a replay sends (replay-capture.c) and the live
 * connection it is sent on (replay-live.c), shared by cmd-replay.c.
 */
#ifndef REPLAY_INT_H
#define REPLAY_INT_H

#include "replay.h"
#include "replay-tls.h"
#include "sink.h"

struct replay_frame {
	uint64_t   index;      /* among the client's frames, 0-based */
	uint64_t   off, len;   /* header and payload in the client's stream */
	struct wts ts;
	uint64_t   first_pkt;
	uint8_t    opcode, fin, truncated;
	uint8_t    rsv;        /* RSV1=4, RSV2=2, RSV3=1 */
	/* A pong, or a close answering the server's: sent live, not replayed. */
	uint8_t    reaction;
	uint64_t   message_id; /* the decoder's, 0-based among the client's */
	uint64_t   payload_len;/* as declared */
};

/* A client message as decoded: its payload unmasked and inflated. */
struct replay_message {
	uint64_t  id;          /* ws_frame.message_id of its frames */
	uint64_t  frames;
	uint8_t   opcode, compressed;
	/* The payload is whole: not cut, gapped, undecoded or capped. */
	uint8_t   whole;
	uint8_t  *payload;     /* NULL when not whole */
	size_t    len;
};

struct replay_side {
	uint8_t             *bytes;       /* the client's stream from 0 */
	uint64_t             len;         /* up to its first gap */
	int                  has_gap;
	uint64_t             gap_off, gap_len;
	struct replay_frame *frames;
	size_t               nframes;
	uint64_t             request_len; /* the Upgrade request's bytes */
	int                  handshake, websocket;
	int                  tls_undecrypted;  /* TLS, with no keys for it */
	char                 client[64], server[64];
	char                 extensions[512], protocol[256]; /* the server's */
	char                 sha256[65];
	struct replay_outcome captured;
	/* The client's messages, by id; their payloads kept only when the
	 * analysis keeps them whole (analysis_opts.whole_client, as replay
	 * --reframe sets it, or payload cap WS_PAYLOAD_CAP_MAX), at most
	 * REPLAY_BYTES_MAX in all. */
	struct replay_message *messages;
	size_t               nmessages;
	uint64_t             payload_bytes;
};

/*
 * Analyzes the capture (npaths files: a capture set, as analyze reads
 * them) and keeps connection conn's client side; opts are the analysis
 * options (key logs, filter). -1 with err (one line) when it cannot be
 * replayed.
 */
int  replay_capture_load(const char *const *paths, size_t npaths,
    const struct analysis_opts *, uint64_t conn, struct replay_side *,
    char *err, size_t errlen);
void replay_side_free(struct replay_side *);
/*
 * The WebSocket connections of a capture (with their handshake) whose
 * verdict is a finding, for replay --all: *ids (the caller's to free).
 */
int  replay_capture_list(const char *const *paths, size_t npaths,
    const struct analysis_opts *, uint64_t **ids, size_t *n, char *err,
    size_t errlen);
/*
 * A client frame and a client message as the decoder reports them, added
 * to rs (a message's payload kept when keep is set and it is whole); the
 * messages sorted by id once all are in.
 */
void replay_side_frame(struct replay_side *, const struct ws_frame *);
void replay_side_message(struct replay_side *, const struct ws_message *,
    int keep);
void replay_side_sort(struct replay_side *);
/* 1 when bytes of the frame, or before it, were never captured. */
int  replay_frame_gapped(const struct replay_side *,
    const struct replay_frame *);

#define REPLAY_MAX_HEADERS 32

struct replay_live_opts {
	const struct replay_url *url;
	const char  *headers[REPLAY_MAX_HEADERS];   /* "Name: value" */
	int          nheaders;
	double       speed;        /* 0: max */
	double       rate;         /* frames per second at most; 0 none */
	double       timeout;      /* seconds in all; 0 none */
	int          yes;          /* a public target was confirmed */
	int          skip_gaps;
	const char  *record;       /* --record FILE; NULL none */
	struct replay_tls_opts tls; /* wss:// */
	int          reframe;      /* --reframe */
};

/*
 * Connects to the target, sends the request and the client's own frames
 * as paced, answers the server as a client would, and fills live with
 * what the server started. -1 with err (one line) on a failure before
 * the replay could start.
 */
int replay_live_run(const struct replay_live_opts *,
    const struct replay_side *, struct replay_outcome *live, char *err,
    size_t errlen);

/*
 * replay --reframe (replay-reframe.c): the client's frames of in
 * re-encoded into out for a server that agreed extensions ext (its 101's
 * Sec-WebSocket-Extensions): data messages with fresh masks, compressed
 * with permessage-deflate when ext has it (with its client_max_window_bits
 * and client_no_context_takeover), split at the captured payload offsets
 * when the payload is the same, in the same number of frames in
 * proportion otherwise; control frames and reserved opcodes, which carry
 * nothing compressed, as captured. out stops before the first data frame
 * that cannot be re-encoded (cut, its message not whole, RSV2 or RSV3).
 * note says that and the first malformed frame kept as captured, ""
 * when neither. -1 with err when ext is an extension it cannot encode
 * for.
 */
int  replay_reframe(const struct replay_side *in, const char *ext,
    struct replay_side *out, char *note, size_t notelen, char *err,
    size_t errlen);

/* replay --record: the conversation as a capture (replay-record.c). */
struct replay_record;
/* Opens path and writes the TCP handshake; NULL with err on failure. */
struct replay_record *replay_record_open(const char *path,
    const struct sockaddr *local, const struct sockaddr *peer, char *err,
    size_t errlen);
/* Bytes role sent; NULL records nothing. */
void replay_record_data(struct replay_record *, int role, const uint8_t *,
    size_t);
void replay_record_fin(struct replay_record *, int role);
/* 0, or -1 with err when the file could not be written. */
int  replay_record_close(struct replay_record *, char *err, size_t errlen);

#endif
