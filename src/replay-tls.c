/*
 * replay-tls: the socket a replay talks on. In the clear its calls are
 * read(2) and write(2); with TLS the SSL object works on two memory
 * BIOs and the bytes are moved between them and the socket here, so
 * that what crosses the socket (the TLS records) is what --record
 * writes, and a server that stops reading holds at most REPLAY_TLS_OUT
 * bytes of records here. Writes are send(2) with MSG_NOSIGNAL: a server
 * that has gone is an error to the write, not a SIGPIPE to the process.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "replay-int.h"
#include "replay-tls.h"

/* Records waiting for the socket before a write is refused (EAGAIN). */
#define REPLAY_TLS_OUT 65536
/* Plain bytes to SSL_write at once: one record's worth. */
#define REPLAY_TLS_CHUNK 16384

struct replay_conn {
	int                   fd;
	struct replay_record *rec;
	SSL_CTX              *ctx;      /* NULL: in the clear */
	SSL                  *ssl;
	BIO                  *rb, *wb;  /* the SSL's: socket to it, it to socket */
	FILE                 *keylog;
	int                   bios_set; /* rb and wb are the SSL's to free */
	int                   starved;  /* rb holds less than a record */
	uint8_t              *out;      /* records not yet written */
	size_t                out_len, out_cap;
	uint8_t               in[REPLAY_TLS_CHUNK + 512];
};

static int  replay_tls_flush(struct replay_conn *);
static int  replay_tls_fill(struct replay_conn *);
static void replay_tls_keylog(const SSL *, const char *);
static int  replay_tls_handshake(struct replay_conn *, double, char *,
		size_t);
static void replay_tls_error(struct replay_conn *, int, char *, size_t);

double
replay_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The SSL's records to the socket, as far as it takes them; -1 (errno)
 * when it failed for good. */
static int
replay_tls_flush(struct replay_conn *c)
{
	size_t  pend;
	ssize_t w;
	int     got;

	while ((pend = BIO_ctrl_pending(c->wb)) > 0) {
		if (c->out_len + pend > c->out_cap) {
			c->out_cap = c->out_len + pend + REPLAY_TLS_CHUNK;
			c->out = xrealloc(c->out, c->out_cap);
		}
		got = BIO_read(c->wb, c->out + c->out_len,
		    pend > INT_MAX ? INT_MAX : (int)pend);
		if (got <= 0)
			break;
		c->out_len += (size_t)got;
	}
	while (c->out_len > 0) {
		w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
		if (w <= 0)
			return w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR ? -1 : 0;
		replay_record_data(c->rec, ROLE_CLIENT, c->out, (size_t)w);
		memmove(c->out, c->out + w, c->out_len - (size_t)w);
		c->out_len -= (size_t)w;
	}
	return 0;
}

/* Bytes from the socket to the SSL: as read(2), the count, 0 at its end. */
static int
replay_tls_fill(struct replay_conn *c)
{
	ssize_t got = read(c->fd, c->in, sizeof c->in);

	if (got > 0) {
		replay_record_data(c->rec, ROLE_SERVER, c->in, (size_t)got);
		(void)BIO_write(c->rb, c->in, (int)got);
		c->starved = 0;
	} else if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		c->starved = 1;
	return (int)got;
}

static void
replay_tls_keylog(const SSL *ssl, const char *line)
{
	struct replay_conn *c = SSL_get_app_data(ssl);

	if (c != NULL && c->keylog != NULL) {
		fprintf(c->keylog, "%s\n", line);
		fflush(c->keylog);
	}
}

/* Why the handshake or a record failed, in err. */
static void
replay_tls_error(struct replay_conn *c, int e, char *err, size_t errlen)
{
	long          v = SSL_get_verify_result(c->ssl);
	unsigned long q = ERR_peek_last_error();
	const char   *why;

	if (v != X509_V_OK) {
		snprintf(err, errlen, "certificate verify failed: %s",
		    X509_verify_cert_error_string(v));
		return;
	}
	why = q != 0 ? ERR_reason_error_string(q) : NULL;
	if (why != NULL)
		snprintf(err, errlen, "%s", why);
	else if (e == SSL_ERROR_SYSCALL)
		snprintf(err, errlen, "%s", errno != 0 ? strerror(errno) :
		    "the server ended the connection");
	else
		snprintf(err, errlen, "TLS error %d", e);
}

static int
replay_tls_handshake(struct replay_conn *c, double deadline, char *err,
    size_t errlen)
{
	struct pollfd pfd;
	double        left;
	int           r, e, got;

	for (;;) {
		ERR_clear_error();
		r = SSL_do_handshake(c->ssl);
		if (replay_tls_flush(c) != 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
		if (r == 1 && c->out_len == 0)
			return 0;
		e = r == 1 ? SSL_ERROR_WANT_WRITE : SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ) {
			got = replay_tls_fill(c);
			if (got > 0)
				continue;
			if (got == 0 || (errno != EAGAIN &&
			    errno != EWOULDBLOCK && errno != EINTR)) {
				snprintf(err, errlen, "the server ended the "
				    "connection during the handshake");
				return -1;
			}
		} else if (e != SSL_ERROR_WANT_WRITE) {
			replay_tls_error(c, e, err, errlen);
			return -1;
		}
		left = deadline - replay_now();
		if (left <= 0) {
			snprintf(err, errlen, "no handshake within the timeout");
			return -1;
		}
		pfd.fd = c->fd;
		pfd.events = (short)(POLLIN | (c->out_len > 0 ? POLLOUT : 0));
		pfd.revents = 0;
		(void)poll(&pfd, 1, (int)(left * 1000) + 1);
	}
}

struct replay_conn *
replay_conn_open(int fd, const struct replay_url *url,
    const struct replay_tls_opts *tls, struct replay_record *rec,
    double deadline, char *err, size_t errlen)
{
	static const unsigned char alpn[] = "\x08http/1.1";
	struct replay_conn *c = xcalloc(1, sizeof *c);
	struct in6_addr     a6;
	char                why[400], target[300];
	int                 ip;

	c->fd = fd;
	c->rec = rec;
	if (!url->tls)
		return c;
	esc_terminal_str(url->hostport, target, sizeof target);
	if (tls->keylog != NULL) {
		int kfd = open(tls->keylog, O_WRONLY | O_APPEND | O_CREAT |
		    O_CLOEXEC, 0600);

		c->keylog = kfd >= 0 ? fdopen(kfd, "a") : NULL;
		if (c->keylog == NULL) {
			snprintf(err, errlen, "--keylog-out: cannot open '%s': %s",
			    tls->keylog, strerror(errno));
			if (kfd >= 0)
				close(kfd);
			goto fail;
		}
	}
	c->ctx = SSL_CTX_new(TLS_client_method());
	c->ssl = c->ctx != NULL ? SSL_new(c->ctx) : NULL;
	c->rb = BIO_new(BIO_s_mem());
	c->wb = BIO_new(BIO_s_mem());
	if (c->ssl == NULL || c->rb == NULL || c->wb == NULL) {
		snprintf(err, errlen, "TLS to %s: cannot set up: %s", target,
		    ERR_reason_error_string(ERR_peek_last_error()));
		goto fail;
	}
	SSL_set_bio(c->ssl, c->rb, c->wb);
	c->bios_set = 1;
	SSL_set_app_data(c->ssl, c);
	SSL_set_connect_state(c->ssl);
	SSL_CTX_set_keylog_callback(c->ctx, replay_tls_keylog);
	(void)SSL_set_alpn_protos(c->ssl, alpn, sizeof alpn - 1);
	ip = inet_pton(AF_INET6, url->host, &a6) == 1 ||
	    inet_pton(AF_INET, url->host, &a6) == 1;
	/* SNI names a host, never an address (RFC 6066, 3). */
	if (!ip)
		(void)SSL_set_tlsext_host_name(c->ssl, url->host);
	if (!tls->insecure) {
		if (SSL_CTX_set_default_verify_paths(c->ctx) != 1 ||
		    (ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
		    url->host) : SSL_set1_host(c->ssl, url->host)) != 1) {
			snprintf(err, errlen, "TLS to %s: cannot set up "
			    "verification", target);
			goto fail;
		}
		SSL_set_verify(c->ssl, SSL_VERIFY_PEER, NULL);
	}
	if (replay_tls_handshake(c, deadline, why, sizeof why) != 0) {
		snprintf(err, errlen, "TLS handshake with %s failed: %s",
		    target, why);
		goto fail;
	}
	return c;
fail:
	replay_conn_close(c);
	return NULL;
}

ssize_t
replay_conn_read(struct replay_conn *c, void *buf, size_t n)
{
	ssize_t got;
	int     r, e;

	if (c->ssl == NULL) {
		got = read(c->fd, buf, n);
		if (got > 0)
			replay_record_data(c->rec, ROLE_SERVER, buf,
			    (size_t)got);
		return got;
	}
	for (;;) {
		ERR_clear_error();
		r = SSL_read(c->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
		(void)replay_tls_flush(c);
		if (r > 0)
			return r;
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_ZERO_RETURN)      /* close_notify */
			return 0;
		if (e != SSL_ERROR_WANT_READ) {
			errno = EPROTO;
			return -1;
		}
		got = replay_tls_fill(c);
		if (got <= 0)
			return got;
	}
}

ssize_t
replay_conn_write(struct replay_conn *c, const void *p, size_t n)
{
	ssize_t w;
	int     r;

	if (c->ssl == NULL) {
		w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w > 0)
			replay_record_data(c->rec, ROLE_CLIENT, p, (size_t)w);
		return w;
	}
	if (replay_tls_flush(c) != 0)
		return -1;
	if (c->out_len >= REPLAY_TLS_OUT) {
		errno = EAGAIN;
		return -1;
	}
	ERR_clear_error();
	r = SSL_write(c->ssl, p, n > REPLAY_TLS_CHUNK ? REPLAY_TLS_CHUNK :
	    (int)n);
	if (r <= 0) {
		errno = EPROTO;
		return -1;
	}
	(void)replay_tls_flush(c);
	return r;
}

int
replay_conn_poll(struct replay_conn *c, struct pollfd *pfd, int ms)
{
	short events = pfd->events;
	int   r;

	if (c->ssl != NULL) {
		(void)replay_tls_flush(c);
		if (SSL_pending(c->ssl) > 0 ||
		    (BIO_ctrl_pending(c->rb) > 0 && !c->starved)) {
			pfd->revents = POLLIN;
			return 1;
		}
		if (c->out_len > 0)
			pfd->events |= POLLOUT;
	}
	r = poll(pfd, 1, ms);
	pfd->events = events;
	return r;
}

void
replay_conn_close(struct replay_conn *c)
{
	if (c == NULL)
		return;
	if (c->ssl != NULL) {
		if (SSL_is_init_finished(c->ssl)) {
			(void)SSL_shutdown(c->ssl);
			(void)replay_tls_flush(c);
		}
		SSL_free(c->ssl);         /* and its BIOs */
	}
	if (!c->bios_set) {
		BIO_free(c->rb);
		BIO_free(c->wb);
	}
	SSL_CTX_free(c->ctx);
	if (c->keylog != NULL)
		fclose(c->keylog);
	free(c->out);
	free(c);
}
