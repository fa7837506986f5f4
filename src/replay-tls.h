/*
 * replay-tls: the socket a replay talks on, in the clear (ws://) or
 * through TLS (wss://, OpenSSL's libssl), behind one set of calls on a
 * non-blocking socket. TLS runs over memory BIOs: the bytes that really
 * cross the socket (the TLS records) are the ones --record writes.
 */
#ifndef REPLAY_TLS_H
#define REPLAY_TLS_H

#include <poll.h>
#include <sys/types.h>

#include "replay.h"

struct replay_record;
struct replay_conn;

struct replay_tls_opts {
	int         insecure;   /* no certificate verification */
	const char *keylog;     /* secrets appended here (NSS); NULL none */
};

/*
 * Takes the connected non-blocking socket fd (not closed by the calls
 * here); with tls, handshakes as a client of url's host (SNI, the
 * certificate checked against the system CA store and the host name
 * unless insecure) before the monotonic deadline. rec, when not NULL,
 * gets the socket's bytes each way. NULL with err (one line naming the
 * target) on failure.
 */
struct replay_conn *replay_conn_open(int fd, const struct replay_url *url,
    const struct replay_tls_opts *tls, struct replay_record *rec,
    double deadline, char *err, size_t errlen);
/* As read(2) and write(2): -1 with errno EAGAIN when it would block. */
ssize_t replay_conn_read(struct replay_conn *, void *, size_t);
ssize_t replay_conn_write(struct replay_conn *, const void *, size_t);
/* As poll(2) on the one socket, for events; also ready at once with
 * POLLIN when TLS holds bytes already read. */
int     replay_conn_poll(struct replay_conn *, struct pollfd *, int ms);
/* Sends TLS's close_notify as far as the socket takes it; frees. */
void    replay_conn_close(struct replay_conn *);
/* Seconds on the monotonic clock, the deadlines' clock. */
double  replay_now(void);

#endif
