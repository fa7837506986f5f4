/*
 * replay: a captured connection's client side sent again to a live
 * server, and what that server did compared with what the captured one
 * did. This header holds the pieces with no I/O (the pacing schedule,
 * the comparison, the target's URL and the address check), the client
 * side taken from a capture (replay-capture.c) and the live connection
 * (replay-live.c).
 */
#ifndef REPLAY_H
#define REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "analysis.h"

/* Exit statuses of replay, besides EXIT_OK (reproduced) and EXIT_INPUT. */
#define REPLAY_EXIT_NOT       1
#define REPLAY_EXIT_DIFFERENT 3

/* --rate's default: frames sent per second at most, whatever the speed. */
#define REPLAY_RATE_DEFAULT 1000.0

/*
 * The times, in seconds from the first frame, to send n frames captured
 * at times t (seconds, in order): as captured divided by speed (speed 0:
 * as fast as allowed), never closer than 1/rate apart (rate 0: no bound).
 */
void replay_schedule(const double *t, size_t n, double speed, double rate,
    double *out);

/* What a server started. */
enum replay_end {
	REPLAY_END_NONE,   /* nothing: it took every frame it was sent */
	REPLAY_END_CLOSE,  /* a close frame not answering the client's */
	REPLAY_END_TCP     /* FIN or RST with no close frame */
};

struct replay_outcome {
	enum replay_end how;
	int             code;      /* REPLAY_END_CLOSE: its code; -1 none */
	int64_t         after;     /* the client frame it followed; -1 none */
	/* REPLAY_END_NONE: how it ended anyway. */
	int             answered;  /* closed answering the client's close */
	int             answer_code;
	uint64_t        messages;  /* client messages sent */
	/* It agreed other extensions or subprotocol: nothing was sent. */
	int             mismatch;
};

enum replay_verdict {
	REPLAY_REPRODUCED = 0,
	REPLAY_NOT = REPLAY_EXIT_NOT,
	REPLAY_DIFFERENT = REPLAY_EXIT_DIFFERENT
};

/*
 * The live server's outcome against the captured one: the verdict, and
 * its line ("reproduced: server closed 1009 after client frame 7
 * (captured: 1009 after frame 7)").
 */
/* What one side started: "closed 1009 after client frame 7", "nothing". */
void replay_describe(const struct replay_outcome *, char *buf, size_t len);

enum replay_verdict replay_compare(const struct replay_outcome *captured,
    const struct replay_outcome *live, char *line, size_t len);

/* ws://HOST:PORT/PATH, split. */
struct replay_url {
	int  tls;          /* wss:// */
	char host[256];    /* without the brackets of an IPv6 address */
	char port[8];
	char path[1024];   /* "" when the URL has none */
	char hostport[280];/* as the Host header gives it */
};
/* 0, or -1 with err saying why. */
int replay_url_parse(const char *, struct replay_url *, char *err,
    size_t errlen);

/*
 * The captured request (reqlen bytes: its head) with the Host header
 * rewritten to the target's, the request target replaced by the URL's
 * path when it has one, and each of headers ("Name: value") in place of
 * the captured headers of its name, or added. The Sec-WebSocket-Key as
 * sent goes to key ("" none). Returns the length written to out
 * (NUL-ended), 0 when it does not fit.
 */
size_t replay_request(const uint8_t *req, size_t reqlen,
    const struct replay_url *, const char *const *headers, int nheaders,
    char *out, size_t outlen, char *key, size_t keylen);

/* 1 when traffic to the address stays on this host or a private network. */
int replay_addr_private(const struct sockaddr *);

#endif
