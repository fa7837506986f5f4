/*
 * wsautopsy streams: list TCP connections and optionally dump each
 * direction's reassembled bytes, so reassembly can be checked on its own.
 * With key logs, a TLS connection's dump is its decrypted bytes (the TLS
 * stage alone, as tshark's follow,tls,raw gives them).
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis-opts.h"
#include "cmd.h"
#include "keylog.h"
#include "pipeline.h"
#include "tls.h"

/* Files kept open at once while dumping; past it, open per write. */
#define STREAMS_MAX_FDS 256

struct streams_ctx;

struct streams_conn {
	int                 fd[2];
	char                name[2][160];
	int                 started[2];  /* a byte of the side was seen */
	struct tls_stage   *tls;         /* with key logs, on a ClientHello */
	struct streams_ctx *ctx;
	struct conn        *c;
};

struct streams_ctx {
	const char    *dir;
	struct keylog *keylog;           /* NULL: no --keylog, no TLS */
	uint64_t       open_fds;
	uint64_t       rows;
	int            failed;
};

static int  cmd_streams_exec(struct cmd_args *);
static void streams_open(void *, struct conn *);
static void streams_data(void *, struct conn *, int, uint64_t,
		const uint8_t *, size_t, uint64_t, struct wts);
static void streams_gap(void *, struct conn *, int, uint64_t, uint64_t,
		uint64_t, struct wts);
static void streams_end(void *, struct conn *, int, int, uint64_t,
		struct wts);
static void streams_close(void *, struct conn *);
static void streams_write(struct streams_conn *, int, uint64_t,
		const uint8_t *, size_t);
static void streams_plain(void *, int, uint64_t, const uint8_t *, size_t,
		uint64_t, struct wts);
static void streams_tls_finding(void *, int, struct finding *);
static void streams_name(const struct conn *, int, char *, size_t);
static void streams_addr(const struct conn *, int, char *, size_t);
static int  streams_dump_dir(const char *);
static void streams_summary(const char *, const struct pipeline_stats *,
		const struct flow_stats *);

static const struct cmd_option streams_options[] = {
	{ .include = analysis_filter_options },
	{ .include = analysis_keylog_options },
	{ .name = "dump", .key = 'd', .arg = "DIR",
	  .help = "write each direction's reassembled bytes to DIR, one file "
	    "per direction named like tcpflow's output (SRC.PORT-DST.PORT); "
	    "bytes never captured are zeros",
	  .doc = "Write each direction's reassembled bytes to\n"
	    ".IR dir ,\n"
	    "one file per direction named as\n"
	    ".BR tcpflow (1)\n"
	    "names them; bytes never captured read as zeros.\n"
	    "The directory must be new or empty." },
	{ 0 }
};

const struct cmd_entry cmd_streams_entry = {
	.name = "streams",
	.summary = "list TCP connections; dump reassembled bytes",
	.usage = "CAPTURE...",
	.about = "List every TCP connection of each capture: endpoints (client "
	    "first), first and last packet time, bytes each way, packets, gaps, "
	    "how it ended. With --keylog, a TLS connection's dump holds its "
	    "decrypted bytes.",
	.options = streams_options,
	.args = { 1, -1 },
	.exec = cmd_streams_exec
};

static const struct stream_ops streams_ops = {
	streams_open, streams_data, streams_gap, streams_end, streams_close
};

/* After the TLS stage: the plaintext, at its own offsets. */
static const struct stage_ops streams_plain_ops = {
	streams_plain, stage_no_gap, stage_no_end  /* gaps read as zeros */
};

static const struct tls_ops streams_tls_ops = { streams_tls_finding };

static void
streams_addr(const struct conn *c, int side, char *buf, size_t len)
{
	const uint8_t *a = c->addr[side];
	char           v6[INET6_ADDRSTRLEN];
	int            i = 0, n = 0;

	if (c->family == 4) {
		snprintf(buf, len, "%03u.%03u.%03u.%03u.%05u", a[0], a[1],
		    a[2], a[3], c->port[side]);
		return;
	}
	/* tcpflow writes IPv6 addresses as inet_ntop() does. */
	(void)i;
	(void)n;
	inet_ntop(AF_INET6, a, v6, sizeof v6);
	snprintf(buf, len, "%s.%05u", v6, c->port[side]);
}

static void
streams_name(const struct conn *c, int side, char *buf, size_t len)
{
	char src[72], dst[72];

	streams_addr(c, side, src, sizeof src);
	streams_addr(c, !side, dst, sizeof dst);
	snprintf(buf, len, "%.72s-%.72s", src, dst);
}

static void
streams_open(void *arg, struct conn *c)
{
	struct streams_ctx  *ctx = arg;
	struct streams_conn *sc;

	if (ctx->dir == NULL)
		return;
	sc = xcalloc(1, sizeof *sc);
	sc->fd[0] = sc->fd[1] = -1;
	sc->ctx = ctx;
	sc->c = c;
	c->user = sc;
}

static void
streams_data(void *arg, struct conn *c, int side, uint64_t off,
    const uint8_t *p, size_t n, uint64_t pkt, struct wts ts)
{
	struct streams_ctx  *ctx = arg;
	struct streams_conn *sc = c->user;
	struct stage         st;

	if (sc == NULL || ctx->failed)
		return;
	/* A side's first bytes a ClientHello, before the other spoke. */
	if (ctx->keylog != NULL && sc->tls == NULL && !sc->started[0] &&
	    !sc->started[1] && tls_looks_like_hello(p, n)) {
		sc->tls = tls_stage_new(ctx->keylog, &streams_tls_ops, sc, side);
		*tls_stage_next(sc->tls) = (struct stage){ &streams_plain_ops,
		    sc };
	}
	sc->started[side] = 1;
	if (sc->tls != NULL) {
		st = tls_stage(sc->tls);
		st.ops->data(st.arg, side, off, p, n, pkt, ts);
	} else
		streams_write(sc, side, off, p, n);
}

static void
streams_gap(void *arg, struct conn *c, int side, uint64_t off, uint64_t len,
    uint64_t pkt, struct wts ts)
{
	struct streams_conn *sc = c->user;
	struct stage         st;

	(void)arg;
	if (sc != NULL && sc->tls != NULL) {
		st = tls_stage(sc->tls);
		st.ops->gap(st.arg, side, off, len, pkt, ts);
	}
}

static void
streams_end(void *arg, struct conn *c, int side, int rst, uint64_t pkt,
    struct wts ts)
{
	struct streams_conn *sc = c->user;
	struct stage         st;

	(void)arg;
	if (sc != NULL && sc->tls != NULL) {
		st = tls_stage(sc->tls);
		st.ops->end(st.arg, side, rst, pkt, ts);
	}
}

static void
streams_plain(void *arg, int side, uint64_t off, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	(void)pkt;
	(void)ts;
	streams_write(arg, side, off, p, n);
}

/* What the TLS stage finds (keys that do not fit, lost records): analyze's. */
static void
streams_tls_finding(void *arg, int side, struct finding *f)
{
	(void)arg;
	(void)side;
	(void)f;
}

/* Bytes of a side at their offset in its dump file. */
static void
streams_write(struct streams_conn *sc, int side, uint64_t off,
    const uint8_t *p, size_t n)
{
	struct streams_ctx *ctx = sc->ctx;
	struct conn        *c = sc->c;
	char                path[4096], base[150];
	ssize_t             w;
	int                 fd, i;

	if (ctx->failed)
		return;
	fd = sc->fd[side];
	if (fd < 0) {
		if (sc->name[side][0] == '\0') {
			streams_name(c, side, base, sizeof base);
			/* A reused 4-tuple gets a numbered file, like tcpflow. */
			for (i = 0; i < 100000; i++) {
				if (i == 0)
					snprintf(sc->name[side],
					    sizeof sc->name[side], "%s", base);
				else
					snprintf(sc->name[side],
					    sizeof sc->name[side], "%sc%d",
					    base, i);
				snprintf(path, sizeof path, "%s/%s", ctx->dir,
				    sc->name[side]);
				if (access(path, F_OK) != 0)
					break;
			}
		}
		snprintf(path, sizeof path, "%s/%s", ctx->dir, sc->name[side]);
		fd = open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0) {
			wsa_warn("%s: %s", path, strerror(errno));
			ctx->failed = 1;
			return;
		}
		if (ctx->open_fds < STREAMS_MAX_FDS) {
			sc->fd[side] = fd;
			ctx->open_fds++;
		}
	}
	while (n > 0) {
		w = pwrite(fd, p, n, (off_t)off);
		if (w <= 0) {
			wsa_warn("%s/%s: %s", ctx->dir, sc->name[side],
			    w < 0 ? strerror(errno) : "short write");
			ctx->failed = 1;
			break;
		}
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	if (sc->fd[side] != fd)
		close(fd);
}

static void
streams_close(void *arg, struct conn *c)
{
	struct streams_ctx  *ctx = arg;
	struct streams_conn *sc = c->user;
	char                 cl[64], sv[64], t0[32], t1[32];
	int                  s, cs = c->client, ss = !c->client;

	if (sc != NULL) {
		if (sc->tls != NULL)
			tls_stage_free(sc->tls);
		for (s = 0; s < 2; s++) {
			if (sc->fd[s] >= 0) {
				close(sc->fd[s]);
				ctx->open_fds--;
			}
		}
		free(sc);
		c->user = NULL;
	}
	if (ctx->rows++ == 0)
		printf("%-6s %-24s %-24s %-20s %-20s %12s %12s %8s %6s %-8s %s\n",
		    "id", "client", "server", "first", "last", "client_bytes",
		    "server_bytes", "packets", "gaps", "end", "flags");
	printf("%-6" PRIu64 " %-24s %-24s %-20s %-20s %12" PRIu64 " %12" PRIu64
	    " %8" PRIu64 " %6" PRIu64 " %-8s %s%s\n", c->id,
	    packet_endpoint(c->family, c->addr[cs], c->port[cs], cl, sizeof cl),
	    packet_endpoint(c->family, c->addr[ss], c->port[ss], sv, sizeof sv),
	    wts_format(c->first_ts, t0, sizeof t0),
	    wts_format(c->last_ts, t1, sizeof t1),
	    c->dir[cs].bytes, c->dir[ss].bytes,
	    c->dir[0].packets + c->dir[1].packets,
	    c->dir[0].gaps + c->dir[1].gaps, conn_end_name(c->end),
	    (c->flags & CONN_MIDSTREAM) ? "midstream" : "-",
	    (c->flags & CONN_ROLE_GUESS) ? ",role-guessed" : "");
}

/* The dump directory is created, or must be empty: names must not mix runs. */
static int
streams_dump_dir(const char *dir)
{
	DIR           *d;
	struct dirent *e;
	int            empty = 1;

	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno != EEXIST || (d = opendir(dir)) == NULL) {
		wsa_warn("%s: cannot create dump directory: %s", dir,
		    strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	if (!empty) {
		wsa_warn("%s: dump directory is not empty", dir);
		return -1;
	}
	return 0;
}

static void
streams_summary(const char *path, const struct pipeline_stats *ps,
    const struct flow_stats *fs)
{
	printf("# %s: %" PRIu64 " packets (%" PRIu64 " TCP, %" PRIu64
	    " other, %" PRIu64 " IP fragments not decoded, %" PRIu64
	    " too short, %" PRIu64 " malformed, %" PRIu64
	    " cut by snaplen), %" PRIu64 " connections\n", path, ps->packets,
	    ps->pkt.kinds[PKT_TCP], ps->pkt.kinds[PKT_NOT_TCP],
	    ps->pkt.kinds[PKT_FRAGMENT], ps->pkt.kinds[PKT_SHORT],
	    ps->pkt.kinds[PKT_MALFORMED], ps->pkt.truncated, fs->conns);
	printf("# gaps %" PRIu64 " (%" PRIu64 " bytes), retransmitted bytes %"
	    PRIu64 ", conflicting overlaps %" PRIu64 ", retransmissions not "
	    "compared %" PRIu64 " (%" PRIu64 " bytes), peak out-of-order "
	    "bytes %" PRIu64 ", peak live connections %" PRIu64 "\n",
	    fs->gaps, fs->gap_bytes, fs->retrans_bytes, fs->conflicts,
	    fs->unchecked, fs->unchecked_bytes, fs->ooo_bytes_max,
	    fs->live_max);
	printf("# caps hit: flow table full %" PRIu64 ", idle timeout %" PRIu64
	    ", out-of-order per direction %" PRIu64 ", out-of-order total %"
	    PRIu64 "\n", fs->evicted_lru, fs->evicted_idle, fs->ooo_dir_hits,
	    fs->ooo_total_hits);
}

static int
cmd_streams_exec(struct cmd_args *args)
{
	struct streams_ctx    ctx;
	struct flow_limits    lim;
	struct flow_table    *ft;
	struct pipeline_stats ps;
	enum pipeline_result  r;
	const char           *filter = NULL;
	char                  err[1024];
	char                **argv = args->argv;
	int                   i, status = EXIT_OK;

	memset(&ctx, 0, sizeof ctx);
	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].opt->key == 'f')
			filter = args->opts[i].value;
		else if (args->opts[i].opt->key == AOPT_KEYLOG) {
			if (ctx.keylog == NULL)
				ctx.keylog = keylog_new();
			if (keylog_load_file(ctx.keylog, args->opts[i].value, err,
			    sizeof err) != 0) {
				wsa_warn("%s", err);
				keylog_free(ctx.keylog);
				return EXIT_INPUT;
			}
		} else
			ctx.dir = args->opts[i].value;
	}
	if (ctx.dir != NULL && streams_dump_dir(ctx.dir) != 0) {
		keylog_free(ctx.keylog);
		return EXIT_INPUT;
	}
	flow_limits_default(&lim);
	for (i = 0; i < args->argc; i++) {
		/* A capture's own secrets; its damage is the reader's to say. */
		if (ctx.keylog != NULL && strcmp(argv[i], "-") != 0)
			(void)keylog_load_dsb(ctx.keylog, argv[i], err, sizeof err);
		ft = flow_table_new(&lim, &streams_ops, &ctx);
		r = pipeline_run(argv[i], filter, ft, &ps, NULL, NULL, NULL,
		    err, sizeof err);
		if (r != PIPELINE_OPEN_FAILED) {
			flow_finish(ft);
			streams_summary(argv[i], &ps, flow_table_stats(ft));
		}
		flow_table_free(ft);
		fflush(stdout);
		if (r != PIPELINE_OK) {
			wsa_warn("%s", err);
			status = EXIT_INPUT;
		}
	}
	if (ctx.failed)
		status = EXIT_INPUT;
	keylog_free(ctx.keylog);
	return status;
}
