/*
 * http-upgrade: the HTTP/1.1 Upgrade handshake that opens a WebSocket
 * connection (RFC 6455 section 4, RFC 7692 section 7), parsed incrementally
 * from one direction's reassembled bytes, and the checks on a
 * request/response pair.
 */
#ifndef HTTP_UPGRADE_H
#define HTTP_UPGRADE_H

#include "rules.h"
#include "wsautopsy.h"

#define HTTP_MAX_HEAD    16384 /* bytes of one request/response head kept; more = error "head too large" */
#define HTTP_MAX_LINE    8192  /* bytes of one line of a head, line end excluded */
#define HTTP_MAX_HEADERS 100   /* header field lines in one head */

struct http_head {
	int      is_request;
	char     method[16], target[2048], version[16];   /* request line (target truncated, flag below) */
	int      status;                                   /* response */
	char     reason[128];
	/* Headers that matter, repeated headers combined with ", " (RFC 9110), values trimmed,
	 * each bounded (truncate, set truncated flag): */
	char     host[256], origin[256], user_agent[256], server[256];
	char     upgrade[128], connection[256];
	char     key[64], ws_version[32], protocol[256], extensions[512], accept[64];
	int64_t  content_length;   /* -1 when absent */
	int      chunked;          /* Transfer-Encoding: chunked (chunked is the final coding) */
	int      transfer_encoding; /* a Transfer-Encoding header is present */
	unsigned truncated;        /* values cut at their bound, a bit each (see http_head_cut_names) */
	int      bad_bytes;        /* control bytes in the head (kept; the
				      first is named by http_parser_error) */
	int      nheaders;
	size_t   head_len;         /* bytes of the head including the final CRLFCRLF */
};

enum http_status { HTTP_NEED_MORE, HTTP_DONE, HTTP_ERROR };

/*
 * One parser per direction. It keeps one line at a time (buffer allocated on
 * the first byte, at most HTTP_MAX_LINE + 1 bytes, released when the head is
 * done or rejected). Empty lines before the start line are skipped and
 * counted in head_len (RFC 9112 section 2.2).
 */
struct http_parser;
struct http_parser *http_parser_new(int is_request);
void http_parser_reset(struct http_parser *);          /* next message on a keep-alive connection */
/*
 * Feed bytes; *used is how many belong to the head (bytes after it are the
 * caller's). NEED_MORE consumes everything; DONE and ERROR are sticky until
 * reset and then consume nothing. On ERROR *used is the bytes taken before
 * the offending one.
 */
enum http_status http_parser_feed(struct http_parser *, const uint8_t *p, size_t n, size_t *used);
const struct http_head *http_parser_head(const struct http_parser *);
const char *http_parser_error(const struct http_parser *);   /* one printable line; "" when none */
void http_parser_free(struct http_parser *);
/* The cut values' names ("target,user-agent"), "" when none; returns the length. */
size_t http_head_cut_names(const struct http_head *, char *out, size_t outlen);
/*
 * Looks like the start of an HTTP request (method of capital letters, '-'
 * or '_' then a space) / response ("HTTP/1."). A prefix too short to tell
 * answers 0.
 */
int http_looks_like_request(const uint8_t *p, size_t n);
int http_looks_like_response(const uint8_t *p, size_t n);
/* 1 while p (its first n bytes) could still become one of the above. */
int http_undecided(const uint8_t *p, size_t n);

/*
 * A body to skip on keep-alive connections (non-upgrade request/response):
 * Content-Length or chunked (RFC 9112 section 6.3). A response without
 * either runs until the connection closes (done is never set); a request
 * without either has no body. Returns bytes consumed; *done set at body
 * end. Malformed chunk framing sets error, *done and stops consuming.
 * Bounded state, never buffers the body.
 */
struct http_body {
	int         chunked;
	uint64_t    remaining;
	int         state;
	char        line[32];   /* hex digits of the current chunk size */
	size_t      line_len;
	const char *error;      /* static text, NULL unless the framing is broken */
};
void   http_body_init(struct http_body *, const struct http_head *, int is_response_to_head_or_204_304);
size_t http_body_feed(struct http_body *, const uint8_t *p, size_t n, int *done);

/* permessage-deflate (RFC 7692 section 7) */
struct pmd_params {
	int present;                     /* permessage-deflate in the header */
	int server_no_context_takeover, client_no_context_takeover;
	int server_max_window_bits;      /* 8..15, 15 when absent */
	int client_max_window_bits;      /* 8..15; in an offer may be present without value (-1) */
	int valid;                       /* no unknown, repeated or out-of-range parameter */
	char error[128];                 /* first problem found, "" when valid */
};
/*
 * Parses an extensions header value (comma-separated list of extensions with
 * ; params); fills the first permessage-deflate element. Returns number of
 * extensions listed. Values that parse are kept even when another
 * parameter makes the element invalid. In a response a second
 * permessage-deflate element is invalid too.
 */
int pmd_parse(const char *extensions, int is_response, struct pmd_params *);

/* SHA-1 + base64 with OpenSSL libcrypto: out gets the 28-char accept value + NUL. */
void ws_accept_for_key(const char *key, char out[29]);

/*
 * All RFC 6455 section 4 checks on a request/response pair. Either may be
 * NULL when the capture holds only one side: checks that need the missing
 * head are skipped. A refused upgrade (status not 101) reports only
 * handshake-refused.
 */
struct hs_issue { enum rule_id rule; char expected[160]; char seen[160]; const char *side; /* "client"|"server" */ };
struct hs_result {
	int upgraded;                    /* 101: the server switched to WebSocket */
	int deflate;                     /* permessage-deflate in the 101 response (the server will compress) */
	struct pmd_params pmd;           /* the response's parameters */
	char subprotocol[128], extensions[512];
	struct hs_issue issues[16]; int nissues;
};
void http_upgrade_check(const struct http_head *req, const struct http_head *resp, struct hs_result *);

#endif
