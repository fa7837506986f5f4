/*
 * WebSocket decoding (RFC 6455 sections 5 and 7, RFC 7692): one decoder per
 * direction of a connection, fed the bytes that follow the handshake.
 * Frames, messages and findings leave through struct ws_ops callbacks.
 */
#ifndef WS_H
#define WS_H

#include "rules.h"
#include "wsautopsy.h"
#include <zlib.h>

#define WS_OP_CONT   0x0
#define WS_OP_TEXT   0x1
#define WS_OP_BINARY 0x2
#define WS_OP_CLOSE  0x8
#define WS_OP_PING   0x9
#define WS_OP_PONG   0xa
#define WS_OP_IS_CONTROL(op) (((op) & 0x8) != 0)

#define WS_RSV1 4
#define WS_RSV2 2
#define WS_RSV3 1

#define WS_CONTROL_MAX 125              /* largest control payload (RFC 6455 5.5) */
/* What a receiver reports for a close frame with no code (RFC 6455 7.1.5). */
#define WS_CLOSE_NO_CODE 1005
#define WS_PAYLOAD_CAP_DEFAULT 4096
#define WS_PAYLOAD_CAP_MAX     (64U << 20)   /* --payload-cap all */
#define WS_MAX_INFLATE_DEFAULT (UINT64_C(256) << 20)

enum ws_role { WS_ROLE_UNKNOWN, WS_ROLE_CLIENT, WS_ROLE_SERVER };  /* who SENDS this direction */
enum ws_ext  { WS_EXT_NONE, WS_EXT_DEFLATE, WS_EXT_UNKNOWN };      /* negotiated for the connection */

struct ws_frame {
	uint64_t   index;        /* 0-based among this direction's frames */
	uint64_t   offset;       /* stream offset of the first header byte */
	uint64_t   first_pkt;    /* packet carrying the first header byte */
	uint64_t   last_pkt;     /* packet carrying the last payload byte (== first_pkt for empty payload) */
	struct wts ts;           /* time of first_pkt */
	struct wts end_ts;       /* time of last_pkt */
	uint64_t   payload_len;  /* as declared on the wire (top bit may be set) */
	uint8_t    fin, rsv /* 0-7: RSV1=4, RSV2=2, RSV3=1 */, opcode, masked;
	uint8_t    mask[4];
	uint8_t    hdr_len;      /* 2..14 */
	uint8_t    hdr[14];      /* raw header bytes */
	uint8_t    non_minimal;  /* 16/64-bit length form used for a length that fits a smaller form */
	uint64_t   message_id;   /* 0-based per direction; control frames get their own message */
	int        close_code;   /* -1: not a close frame or no code (empty payload) */
	/*
	 * The reason's bytes as sent, up to what is kept of a close payload
	 * (payload_cap bytes, WS_CONTROL_MAX at least): a close frame over
	 * 125 bytes, itself a violation, keeps its reason whole up to there.
	 * NULL with close_reason_len 0 when none; valid during the callback.
	 */
	const uint8_t *close_reason;
	size_t     close_reason_len;
	const uint8_t *prefix;   /* unmasked payload bytes kept for THIS FRAME, up to payload_cap; valid during the callback */
	size_t     prefix_len;
	uint8_t    truncated;    /* the frame was cut by a gap or the end of the stream */
	uint64_t   seen_len;     /* payload bytes actually seen (< payload_len when truncated) */
	const char *packets;     /* not the decoder's (NULL): the session's list of the packets
	                            that carried a frame over several, in stream order, runs as
	                            "10-12" ("10,14-16,18"; "10,...,40,41" when the first are
	                            forgotten); valid during the callback */
	const char *tls_records; /* not the decoder's (NULL): wss://, the TLS records of its
	                            direction that held it, numbered from 1 per direction,
	                            "7" or "7-9"; valid during the callback */
};

struct ws_message {
	uint64_t   id;           /* 0-based per direction */
	uint8_t    opcode;       /* of the first frame (0 when the first frame was lost in a gap) */
	uint8_t    compressed;   /* RSV1 on the first frame with deflate negotiated (or unknown and inflating worked) */
	uint8_t    utf8_valid;   /* text messages: 1 valid, 0 invalid; binary: 1 */
	uint64_t   utf8_error_at;/* decoded byte offset of the first bad sequence */
	uint64_t   frames;
	uint64_t   wire_size;    /* sum of payload lengths on the wire (as declared; saturates) */
	uint64_t   decoded_size; /* after inflation (== bytes seen when not compressed); stops growing at the limit */
	uint64_t   first_pkt, last_pkt;
	uint64_t   first_frame, last_frame;   /* frame indexes */
	struct wts ts, end_ts;
	const uint8_t *prefix;   /* the first payload_cap DECODED bytes of the message; valid during the callback */
	size_t     prefix_len;
	uint8_t    incomplete;   /* not ended by FIN: cut by a gap or the end of the stream, or abandoned
	                            for a new data frame (data-frame-during-fragmented-message) */
	uint8_t    headless;     /* its first frames were lost in a gap (continuations seen only) */
	uint8_t    gap;          /* payload bytes inside it were lost: content checks stopped there */
	uint8_t    undecoded;    /* compressed but not inflated (inflate stopped for this direction, or
	                            failed under an unknown extension): decoded_size, prefix and
	                            utf8_valid say nothing about the content */
	uint8_t    too_big;      /* message-too-big was reported for it */
	uint8_t    inflate_capped; /* inflation stopped at max_inflate (an analysis cap):
	                            decoded_size is a lower bound */
};

struct ws_finding {
	enum rule_id rule;
	const struct ws_frame *frame;  /* the offending frame (header known); NULL for none */
	uint64_t    message_id;
	uint64_t    value;       /* the number involved: opcode, length, close code, size, byte offset of bad UTF-8 ... */
	uint64_t    limit;       /* for size rules: the limit crossed */
	char        detail[160]; /* one line, printable ASCII only, e.g. "opcode 3", "RSV2 set", "zlib: invalid distance too far back" */
};

struct ws_ops {
	void (*frame)(void *ctx, const struct ws_frame *);          /* once per frame, at its END (all fields final) */
	void (*message)(void *ctx, const struct ws_message *);      /* once per message, at its end */
	void (*finding)(void *ctx, const struct ws_finding *);      /* as soon as known; may precede the frame's callback */
};

struct ws_config {
	enum ws_role role;              /* sender of this direction */
	enum ws_ext  ext;
	int          inflate_window_bits;  /* 8..15 for the SENDER's compressor (server_max_window_bits for server->client); 0 = 15 */
	int          no_context_takeover;  /* for this direction's sender */
	uint64_t     max_frame, max_message;  /* 0 = no limit */
	uint64_t     max_inflate;       /* inflation of one message stops past this many bytes;
	                                   0 = none; max_message, when set, takes its place */
	size_t       payload_cap;       /* bytes of each message kept (prefix); 0 = none; at most WS_PAYLOAD_CAP_MAX */
	int          strict;            /* report strict-only rules (non-minimal-length) */
};

/* Defaults: unknown role, no extension, payload_cap WS_PAYLOAD_CAP_DEFAULT, max_inflate
 * WS_MAX_INFLATE_DEFAULT, no limits. */
void ws_config_default(struct ws_config *);

struct ws_shared {                  /* one per analysis thread, shared by all directions */
	uint8_t *scratch; size_t scratch_len;   /* unmask / inflate output buffer, e.g. 64 KiB */
};
#define WS_SCRATCH_MIN 256          /* smaller (or NULL) shared scratch: the direction allocates its own */

struct ws_dir;   /* one direction's decoder; allocated per connection direction, small when idle */
struct ws_dir *ws_dir_new(const struct ws_config *, const struct ws_ops *, void *ctx, struct ws_shared *);
/* Bytes of this direction in stream order; off = stream offset of p[0]. */
void ws_dir_feed(struct ws_dir *, uint64_t off, const uint8_t *p, size_t n, uint64_t pkt, struct wts ts);
/* Bytes [off, off+len) missing: the current frame/message is cut (truncated/incomplete, no findings blamed
 * on the peer for it); then the decoder resynchronises: it scans forward for a plausible frame header
 * (valid opcode, RSV consistent with ext, MASK consistent with role, sane length) and says which in
 * ws_dir_state(); nothing decoded across a gap produces a finding for bytes it could not see.
 * A gap that ends inside the current frame's payload keeps the framing: the frame is reported
 * truncated at its end, its message marked gap, and no scan is needed. */
void ws_dir_gap(struct ws_dir *, uint64_t off, uint64_t len);
/* Before the first byte: the stream is known to start at no frame boundary
 * (decoding forced on a port), so look for one as after a gap. */
void ws_dir_resync(struct ws_dir *);
/*
 * Before the first byte: the stream was picked up mid-connection and its
 * first header is a guess whose frame runs past the bytes seen. The frame
 * is decoded as it streams, but it ends (and its findings are said) only
 * once the bytes after it start another plausible header with the same
 * MASK, or the stream ends; ws_dir_state() says WS_DIR_PROBE until then,
 * and WS_DIR_REFUSED if they do not (nothing was reported; free it).
 */
void ws_dir_probe(struct ws_dir *);
/* The caller believes the probe on other evidence: decode as if confirmed. */
void ws_dir_confirm(struct ws_dir *);
/* End of stream: flush a partial frame/message (reported truncated/incomplete). */
void ws_dir_end(struct ws_dir *);
void ws_dir_free(struct ws_dir *);
/* Counters for reports: frames, messages, findings, resyncs, bytes skipped while resynchronising,
 * whether decoding stopped after a gap; plus "close_sent" (this direction sent a close frame) and
 * the last frame index. */
struct ws_dir_stats {
	uint64_t frames, messages, findings, resyncs, resync_skipped;
	int      stopped;            /* WS_STOP_*: decoding of this direction gave up */
	int      close_sent;
	uint64_t close_frame_index;
	int      inflate_stopped;    /* WS_INFLATE_STOP_*: later compressed messages are counted, not decoded */
	uint64_t gaps;               /* ws_dir_gap calls with bytes missing (explicit or by offset jump) */
};
#define WS_STOP_NONE   0
#define WS_STOP_MSB    1            /* 64-bit length with the top bit set: nothing after it can be framed */
#define WS_STOP_RESYNC 2            /* no plausible frame header within WS_RESYNC_MAX bytes after a gap */
#define WS_RESYNC_MAX  (UINT64_C(16) << 20)
#define WS_INFLATE_STOP_NONE  0
#define WS_INFLATE_STOP_ERROR 1     /* inflate-error (or failure under an unknown extension) */
#define WS_INFLATE_STOP_GAP   2     /* compressed bytes lost while the window is shared across messages */
#define WS_INFLATE_STOP_LIMIT 3     /* inflation stopped at max_message while the window is shared */
#define WS_INFLATE_STOP_CAP   4     /* inflation stopped at max_inflate while the window is shared */
const struct ws_dir_stats *ws_dir_stats(const struct ws_dir *);

/* Where the decoder is: framing, resynchronising after a gap, or stopped. */
enum ws_dir_state { WS_DIR_FRAMING, WS_DIR_RESYNC, WS_DIR_STOPPED, WS_DIR_PROBE, WS_DIR_REFUSED };
enum ws_dir_state ws_dir_state(const struct ws_dir *);

/* Guess for streams picked up mid-connection: 1 if buf looks like the start of a sequence of frames
 * (>= 2 consecutive plausible headers, or one plausible header consuming the whole buffer), 2 if it
 * starts with one plausible header whose frame runs past the buffer (to be confirmed: ws_dir_probe),
 * with *masked set to the MASK bit seen. Used to detect WebSocket without a handshake. */
int ws_looks_like_frames(const uint8_t *buf, size_t n, int *masked);

void ws_unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t key[4], size_t pos); /* 8 bytes at a time */
int  ws_close_code_valid(int code);

#endif
