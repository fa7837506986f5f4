/*
 * replay-live: the captured client side sent to a live server. The
 * request goes as captured (Host rewritten, --header applied), then the
 * client's own frames byte for byte at their paced times; the server's
 * bytes go through the project's frame decoder, and its pings and close
 * are answered as a conforming client answers them. The socket is
 * non-blocking: a server that stops reading (a zero window, as a server
 * refusing a large frame leaves it) cannot stall the replay.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "http-upgrade.h"
#include "replay-int.h"
#include "replay-tls.h"
#include "ws.h"

/* After the last frame, what the server is given to react to it. */
#define REPLAY_SETTLE 1.0
/* After the server's close, what the echo is given to leave. */
#define REPLAY_LINGER 0.5
/* The response head kept, for the error that quotes it. */
#define REPLAY_HEAD_MAX 16384

struct rl {
	const struct replay_live_opts *o;
	const struct replay_side      *rs;
	int                            fd;
	struct replay_conn            *conn;      /* fd, in the clear or TLS */
	/* The client's own frames, and when each is due (seconds). */
	size_t                        *send;
	double                        *due;
	size_t                         nsend, next;
	uint64_t                       pos;        /* bytes of send[next] written */
	int64_t                        last_started; /* frame index; -1 */
	uint64_t                       messages;
	int                            client_closed;
	/* A frame the capture cut went last: the server waits for the rest
	 * of it, and nothing more can be framed after it. */
	int                            cut;
	/* Answers (pongs, the close's echo), sent between frames. */
	uint8_t                        ctl[4096];
	size_t                         ctl_len;
	struct ws_dir                 *dec;
	uint64_t                       rx_off;
	int                            server_closed, eof;
	struct replay_outcome         *live;
	struct replay_record          *rec;       /* --record */
	struct replay_side             reframed;  /* --reframe: rs when made */
};

static double rl_now(void);
static int    rl_resolve(const struct replay_live_opts *, struct addrinfo **,
		char *, size_t);
static int    rl_connect(const struct replay_live_opts *, struct addrinfo *,
		char *, size_t);
static int    rl_write_all(struct rl *, const void *, size_t, double);
static int    rl_response(struct rl *, const char *key, double, char *,
		size_t);
static void   rl_control(struct rl *, uint8_t, const uint8_t *, size_t);
static void   rl_frame(void *, const struct ws_frame *);
static void   rl_message(void *, const struct ws_message *);
static void   rl_finding(void *, const struct ws_finding *);
static int    rl_loop(struct rl *, double);
static int    rl_record_open(struct rl *, char *, size_t);
static int    rl_negotiated(struct rl *, const struct http_head *, char *,
		size_t);

static const struct ws_ops rl_ws_ops = { rl_frame, rl_message, rl_finding };

static double
rl_now(void)
{
	return replay_now();
}

/* The target's addresses; a public one only with --yes or a y typed. */
static int
rl_resolve(const struct replay_live_opts *o, struct addrinfo **res,
    char *err, size_t errlen)
{
	struct addrinfo  hints, *ai;
	char             host[300], addr[INET6_ADDRSTRLEN], line[16];
	int              e, public = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	esc_terminal_str(o->url->host, host, sizeof host);
	e = getaddrinfo(o->url->host, o->url->port, &hints, res);
	if (e != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", host,
		    gai_strerror(e));
		return -1;
	}
	for (ai = *res; ai != NULL; ai = ai->ai_next)
		if (!replay_addr_private(ai->ai_addr) && !public) {
			public = 1;
			if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr,
			    sizeof addr, NULL, 0, NI_NUMERICHOST) != 0)
				snprintf(addr, sizeof addr, "?");
		}
	if (!public || o->yes)
		return 0;
	if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
		fprintf(stderr, "%s: %s (%s) is not a loopback or private "
		    "address: replay there? [y/N] ", wsa_progname, host, addr);
		fflush(stderr);
		if (fgets(line, sizeof line, stdin) != NULL &&
		    (line[0] == 'y' || line[0] == 'Y'))
			return 0;
	}
	snprintf(err, errlen, "%s (%s) is not a loopback or private address: "
	    "replay there only with --yes", host, addr);
	freeaddrinfo(*res);
	*res = NULL;
	return -1;
}

static int
rl_connect(const struct replay_live_opts *o, struct addrinfo *res, char *err,
    size_t errlen)
{
	struct addrinfo *ai;
	char             host[300];
	int              fd = -1, e = 0;

	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		esc_terminal_str(o->url->hostport, host, sizeof host);
		snprintf(err, errlen, "cannot connect to %s: %s", host,
		    strerror(e));
		return -1;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* --record: the file, named by the socket's two ends. */
static int
rl_record_open(struct rl *r, char *err, size_t errlen)
{
	struct sockaddr_storage l, p;
	socklen_t               ll = sizeof l, pl = sizeof p;

	if (getsockname(r->fd, (struct sockaddr *)&l, &ll) != 0 ||
	    getpeername(r->fd, (struct sockaddr *)&p, &pl) != 0) {
		snprintf(err, errlen, "--record: %s", strerror(errno));
		return -1;
	}
	r->rec = replay_record_open(r->o->record, (struct sockaddr *)&l,
	    (struct sockaddr *)&p, err, errlen);
	return r->rec != NULL ? 0 : -1;
}

/* Writes all of p before the deadline; -1 when it could not. */
static int
rl_write_all(struct rl *r, const void *p, size_t n, double deadline)
{
	const uint8_t *b = p;
	struct pollfd  pfd = { r->fd, POLLOUT, 0 };
	ssize_t        w;
	double         left;

	while (n > 0) {
		w = replay_conn_write(r->conn, b, n);
		if (w > 0) {
			b += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return -1;
		left = deadline - rl_now();
		if (left <= 0)
			return -1;
		(void)replay_conn_poll(r->conn, &pfd, (int)(left * 1000) + 1);
	}
	return 0;
}

/*
 * Reads the server's response head and checks it; the bytes after it go
 * to the frame decoder. -1 with err on anything but a good 101.
 */
static int
rl_response(struct rl *r, const char *key, double deadline, char *err,
    size_t errlen)
{
	struct http_parser     *hp = http_parser_new(0);
	const struct http_head *h;
	struct pollfd           pfd = { r->fd, POLLIN, 0 };
	enum http_status        st = HTTP_NEED_MORE;
	uint8_t                 buf[REPLAY_HEAD_MAX], *q;
	char                    lines[600], accept[29], esc[600];
	size_t                  have = 0, used = 0, k, nl;
	ssize_t                 got;
	double                  left;
	int                     rc = -1;

	while (st == HTTP_NEED_MORE && have < sizeof buf) {
		got = replay_conn_read(r->conn, buf + have, sizeof buf - have);
		if (got > 0) {
			st = http_parser_feed(hp, buf + have, (size_t)got,
			    &used);
			have += (size_t)got;
			continue;
		}
		if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)) {
			replay_record_fin(r->rec, ROLE_SERVER);
			snprintf(err, errlen, "the server ended the connection "
			    "before its response%s", have ? " was complete" :
			    "");
			goto out;
		}
		left = deadline - rl_now();
		if (left <= 0) {
			snprintf(err, errlen, "no response from the server "
			    "within the timeout");
			goto out;
		}
		(void)replay_conn_poll(r->conn, &pfd, (int)(left * 1000) + 1);
	}
	h = http_parser_head(hp);
	if (st != HTTP_DONE || h->status != 101) {
		/* The status line and the first header lines, escaped. */
		for (k = 0, nl = 0; k < have && nl < 4; k++)
			if (buf[k] == '\n')
				nl++;
		esc_terminal(buf, k, esc, sizeof esc);
		snprintf(lines, sizeof lines, "%s", esc);
		if (st == HTTP_ERROR)
			snprintf(err, errlen, "the server's response is not "
			    "HTTP (%s): %s", http_parser_error(hp), lines);
		else
			snprintf(err, errlen, "the server did not switch "
			    "protocols (not 101): %s", lines);
		goto out;
	}
	ws_accept_for_key(key, accept);
	if (strcmp(h->accept, accept) != 0) {
		esc_terminal_str(h->accept, esc, sizeof esc);
		snprintf(err, errlen, "the server's Sec-WebSocket-Accept '%s' "
		    "is not the one for the request's key ('%s')", esc,
		    accept);
		goto out;
	}
	if (rl_negotiated(r, h, err, errlen) != 0)
		goto out;
	{
		struct ws_config  cfg;
		struct pmd_params pmd;

		ws_config_default(&cfg);
		cfg.role = WS_ROLE_SERVER;
		cfg.payload_cap = WS_CONTROL_MAX;
		if (pmd_parse(h->extensions, 1, &pmd) > 0 && pmd.present) {
			cfg.ext = pmd.valid ? WS_EXT_DEFLATE : WS_EXT_UNKNOWN;
			cfg.inflate_window_bits = pmd.server_max_window_bits;
			cfg.no_context_takeover = pmd.server_no_context_takeover;
			if (cfg.inflate_window_bits < 8 ||
			    cfg.inflate_window_bits > 15)
				cfg.inflate_window_bits = 15;
		} else if (h->extensions[0] != '\0')
			cfg.ext = WS_EXT_UNKNOWN;
		r->dec = ws_dir_new(&cfg, &rl_ws_ops, r, NULL);
	}
	q = buf + used;
	if (have > used) {
		ws_dir_feed(r->dec, 0, q, have - used, 0, (struct wts){ 0, 0 });
		r->rx_off = have - used;
	}
	rc = 0;
out:
	http_parser_free(hp);
	return rc;
}

/*
 * Extensions or a subprotocol other than the captured ones: the frames as
 * captured would not decode as meant. With --reframe they are encoded
 * again for what this server agreed, up to a frame that cannot be;
 * without, nothing is sent and the outcome says why. -1 with err when
 * --reframe cannot encode for it.
 */
static int
rl_negotiated(struct rl *r, const struct http_head *h, char *err,
    size_t errlen)
{
	char   ext[600], pro[300], cext[600], cpro[300], note[200];
	size_t k, n;

	if (strcmp(h->extensions, r->rs->extensions) == 0 &&
	    strcmp(h->protocol, r->rs->protocol) == 0)
		return 0;
	esc_terminal_str(h->extensions, ext, sizeof ext);
	esc_terminal_str(h->protocol, pro, sizeof pro);
	esc_terminal_str(r->rs->extensions, cext, sizeof cext);
	esc_terminal_str(r->rs->protocol, cpro, sizeof cpro);
	wsa_warn("the server agreed extensions '%s' and subprotocol '%s'; "
	    "the captured one '%s' and '%s': %s", ext, pro, cext, cpro,
	    r->o->reframe ? "the client's messages are re-encoded for it" :
	    "frames as captured would not decode as meant, nothing is sent "
	    "(--reframe re-encodes the client's messages for it)");
	if (!r->o->reframe) {
		r->live->mismatch = 1;
		return 0;
	}
	if (replay_reframe(r->rs, h->extensions, &r->reframed, note,
	    sizeof note, err, errlen) != 0)
		return -1;
	if (note[0] != '\0')
		wsa_warn("%s", note);
	r->rs = &r->reframed;
	/* The frames to send keep their indexes, up to where it stopped. */
	for (k = n = 0; k < r->nsend; k++)
		if (r->send[k] < r->reframed.nframes)
			n = k + 1;
	r->nsend = n;
	return 0;
}

/* A masked control frame of the client's, queued to go between frames. */
static void
rl_control(struct rl *r, uint8_t opcode, const uint8_t *p, size_t n)
{
	uint8_t *f = r->ctl + r->ctl_len, mask[4];
	size_t   i;

	if (n > WS_CONTROL_MAX || r->ctl_len + 6 + n > sizeof r->ctl)
		return;
	if (RAND_bytes(mask, 4) != 1)
		memset(mask, 0x5a, 4);
	f[0] = (uint8_t)(0x80 | opcode);
	f[1] = (uint8_t)(0x80 | n);
	memcpy(f + 2, mask, 4);
	for (i = 0; i < n; i++)
		f[6 + i] = p[i] ^ mask[i & 3];
	r->ctl_len += 6 + n;
}

static void
rl_frame(void *arg, const struct ws_frame *f)
{
	struct rl *r = arg;
	uint8_t    code[2];

	if (r->server_closed)
		return;
	if (f->opcode == WS_OP_PING)
		rl_control(r, WS_OP_PONG, f->prefix, f->prefix_len);
	if (f->opcode != WS_OP_CLOSE)
		return;
	r->server_closed = 1;
	if (r->client_closed) {          /* its answer to the client's */
		r->live->answered = 1;
		r->live->answer_code = f->close_code;
		return;
	}
	r->live->how = REPLAY_END_CLOSE;
	r->live->code = f->close_code;
	r->live->after = r->last_started;
	/* The echo a conforming client sends: the same code, no reason. */
	code[0] = (uint8_t)(f->close_code >> 8);
	code[1] = (uint8_t)f->close_code;
	rl_control(r, WS_OP_CLOSE, code, f->close_code >= 0 ? 2 : 0);
}

static void
rl_message(void *arg, const struct ws_message *m)
{
	(void)arg;
	(void)m;
}

static void
rl_finding(void *arg, const struct ws_finding *f)
{
	(void)arg;
	(void)f;
}

/* Until the server closes or ends, the frames run out, or the deadline. */
static int
rl_loop(struct rl *r, double deadline)
{
	const struct replay_frame *fr;
	struct pollfd              pfd;
	uint8_t                    buf[65536];
	double                     t0 = rl_now(), now, wait, settle = 0,
	                           linger = 0;
	ssize_t                    n;
	size_t                     want;
	int                        busy;

	for (;;) {
		now = rl_now();
		if (now >= deadline)
			return 0;
		if (r->eof)
			return 0;
		if (r->server_closed && linger == 0)
			linger = now + REPLAY_LINGER;
		if (linger > 0 && (now >= linger ||
		    ((r->ctl_len == 0 || r->cut) && r->pos == 0)))
			return 0;
		/* Write what is due: a frame begun first, then answers. */
		busy = 0;
		while (!r->server_closed || r->pos > 0 || r->ctl_len > 0) {
			if (r->pos == 0 && r->ctl_len > 0 && !r->cut) {
				n = replay_conn_write(r->conn, r->ctl,
				    r->ctl_len);
				if (n <= 0)
					break;
				memmove(r->ctl, r->ctl + n,
				    r->ctl_len - (size_t)n);
				r->ctl_len -= (size_t)n;
				continue;
			}
			if (r->server_closed || r->next == r->nsend || r->cut ||
			    (r->pos == 0 && t0 + r->due[r->next] > now))
				break;
			fr = &r->rs->frames[r->send[r->next]];
			want = (size_t)(fr->len - r->pos);
			n = replay_conn_write(r->conn,
			    r->rs->bytes + fr->off + r->pos, want);
			if (n <= 0)
				break;
			if (r->pos == 0) {
				r->last_started = (int64_t)fr->index;
				if (fr->opcode == WS_OP_CLOSE)
					r->client_closed = 1;
			}
			r->pos += (uint64_t)n;
			if (r->pos == fr->len) {
				r->cut = fr->truncated;
				if (fr->fin && !fr->truncated &&
				    fr->opcode <= WS_OP_BINARY)
					r->messages++;
				r->pos = 0;
				r->next++;
			}
		}
		if (r->pos > 0 || (r->ctl_len > 0 && !r->cut))
			busy = 1;
		if (r->next == r->nsend && !busy && settle == 0)
			settle = now + REPLAY_SETTLE;
		if (settle > 0 && now >= settle)
			return 0;
		/* Sleep until the next frame is due, or the socket is ready. */
		wait = deadline - now;
		if (settle > 0 && settle - now < wait)
			wait = settle - now;
		if (linger > 0 && linger - now < wait)
			wait = linger - now;
		if (!busy && r->next < r->nsend && !r->server_closed &&
		    t0 + r->due[r->next] - now < wait)
			wait = t0 + r->due[r->next] - now;
		if (wait < 0)
			wait = 0;
		pfd.fd = r->fd;
		pfd.events = POLLIN | (busy ? POLLOUT : 0);
		pfd.revents = 0;
		if (replay_conn_poll(r->conn, &pfd, (int)(wait * 1000) + 1) <= 0)
			continue;
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = replay_conn_read(r->conn, buf, sizeof buf);
			if (n > 0) {
				ws_dir_feed(r->dec, r->rx_off, buf, (size_t)n,
				    0, (struct wts){ 0, 0 });
				r->rx_off += (uint64_t)n;
			} else if (n == 0 || (errno != EAGAIN &&
			    errno != EWOULDBLOCK && errno != EINTR)) {
				r->eof = 1;
				replay_record_fin(r->rec, ROLE_SERVER);
			}
		}
	}
}

int
replay_live_run(const struct replay_live_opts *o,
    const struct replay_side *rs, struct replay_outcome *live, char *err,
    size_t errlen)
{
	struct addrinfo *res = NULL;
	struct rl        r;
	char             req[REPLAY_HEAD_MAX], key[64];
	double          *t, deadline;
	size_t           i, n;
	int              rc = -1;

	memset(&r, 0, sizeof r);
	memset(live, 0, sizeof *live);
	live->how = REPLAY_END_NONE;
	live->code = live->answer_code = -1;
	live->after = -1;
	r.o = o;
	r.rs = rs;
	r.fd = -1;
	r.live = live;
	r.last_started = -1;
	n = replay_request(rs->bytes, rs->request_len, o->url, o->headers,
	    o->nheaders, req, sizeof req, key, sizeof key);
	if (n == 0) {
		snprintf(err, errlen, "the captured request with the headers "
		    "given is over %d bytes", REPLAY_HEAD_MAX);
		return -1;
	}
	/* The client's own frames, up to a gap unless --skip-gaps. */
	r.send = xcalloc(rs->nframes + 1, sizeof *r.send);
	r.due = xcalloc(rs->nframes + 1, sizeof *r.due);
	t = xcalloc(rs->nframes + 1, sizeof *t);
	for (i = 0; i < rs->nframes; i++) {
		const struct replay_frame *f = &rs->frames[i];

		if (!o->skip_gaps && rs->has_gap && f->off >= rs->gap_off)
			break;
		if (replay_frame_gapped(rs, f)) {
			if (!o->skip_gaps)
				break;
			continue;
		}
		if (f->reaction)
			continue;
		t[r.nsend] = wts_double(f->ts);
		r.send[r.nsend++] = i;
	}
	replay_schedule(t, r.nsend, o->speed, o->rate, r.due);
	free(t);
	if (rl_resolve(o, &res, err, errlen) != 0)
		goto out;
	r.fd = rl_connect(o, res, err, errlen);
	if (r.fd < 0)
		goto out;
	deadline = rl_now() + (o->timeout > 0 ? o->timeout : 1e9);
	if (o->record != NULL && rl_record_open(&r, err, errlen) != 0)
		goto out;
	r.conn = replay_conn_open(r.fd, o->url, &o->tls, r.rec, deadline, err,
	    errlen);
	if (r.conn == NULL)
		goto out;
	if (rl_write_all(&r, req, n, deadline) != 0) {
		snprintf(err, errlen, "could not send the request: %s",
		    strerror(errno));
		goto out;
	}
	if (rl_response(&r, key, deadline, err, errlen) != 0)
		goto out;
	if (!live->mismatch)
		rl_loop(&r, deadline);
	if (live->how == REPLAY_END_NONE && r.eof && !r.server_closed &&
	    !r.client_closed) {
		live->how = REPLAY_END_TCP;
		live->after = r.last_started;
	}
	live->messages = r.messages;
	rc = 0;
out:
	replay_conn_close(r.conn);
	if (r.rec != NULL) {
		replay_record_fin(r.rec, ROLE_CLIENT);
		if (replay_record_close(r.rec, rc == 0 ? err : NULL,
		    rc == 0 ? errlen : 0) != 0)
			rc = -1;
	}
	if (r.dec != NULL)
		ws_dir_free(r.dec);
	if (r.fd >= 0)
		close(r.fd);
	if (res != NULL)
		freeaddrinfo(res);
	free(r.send);
	free(r.due);
	replay_side_free(&r.reframed);
	return rc;
}
