/*
 * wsautopsy analyze: analyze captures into a SQLite database.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "report.h"
#include "rules.h"
#include "session.h"
#include "sink-async.h"
#include "store.h"

static int  cmd_analyze_exec(int, char **);
static void analyze_usage(FILE *);
static void analyze_sigint(int);
static void analyze_progress(void *, const struct pipeline_stats *,
		uint64_t, uint64_t);
static void analyze_summary(const char *, const struct capture_summary *,
		double);
static int  analyze_profile(const char *, struct analysis_opts *);
static void analyze_profile_list(void);

const struct cmd_entry cmd_analyze_entry = {
	"analyze", "analyze captures into a SQLite database", cmd_analyze_exec
};

static volatile sig_atomic_t analyze_stop;
static volatile int          analyze_stop_flag;
static struct timespec       analyze_t0;

static void
analyze_usage(FILE *f)
{
	fprintf(f,
"usage: wsautopsy analyze [OPTIONS] CAPTURE... [-o DB]\n"
"Decode every WebSocket connection of the captures, classify every close and\n"
"violation, and store the results in a SQLite database.\n"
"\n"
"  -o, --output DB         database to write (default: the first capture's\n"
"                          name with .db); several captures may share one\n"
"  -f, --filter EXPR       read only packets matching a BPF filter\n"
"      --ws-port PORT      decode TCP port PORT as WebSocket even with no\n"
"                          handshake or frame-like start (repeatable)\n"
"      --payload-cap BYTES payload bytes kept per message (default 4K; 0 none;\n"
"                          'all' everything)\n"
"      --max-frame BYTES   report frames larger than this (frame-too-big)\n"
"      --max-message BYTES report messages larger than this, after\n"
"                          inflation (message-too-big); also bounds inflation\n"
"      --profile NAME      set the limits of a known implementation's defaults;\n"
"                          --profile list prints them\n"
"      --strict            also report strict-only rules (non-minimal-length)\n"
"      --max-flows N       live connections kept (default 100000)\n"
"      --idle-timeout SEC  forget connections idle this long (default 900)\n"
"      --ooo-per-dir BYTES out-of-order bytes held per direction (default 4M)\n"
"      --ooo-total BYTES   out-of-order bytes held in all (default 256M)\n"
"      --report            print the text report when done\n"
"  -q, --quiet             no progress line and no summary\n"
"  -h, --help              show this help\n"
"Sizes take K, M and G suffixes (powers of 1024).\n");
}

static void
analyze_sigint(int sig)
{
	(void)sig;
	analyze_stop = 1;
	analyze_stop_flag = 1;
}

static void
analyze_progress(void *arg, const struct pipeline_stats *ps, uint64_t off,
    uint64_t size)
{
	struct timespec now;
	double          el, rate, left;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &now);
	el = (double)(now.tv_sec - analyze_t0.tv_sec) +
	    (double)(now.tv_nsec - analyze_t0.tv_nsec) / 1e9;
	rate = el > 0 ? (double)off / el : 0;
	left = rate > 0 && size > off ? (double)(size - off) / rate : 0;
	fprintf(stderr, "\r%6.1f%%  %" PRIu64 " MB of %" PRIu64 " MB  %" PRIu64
	    " packets  %.0f MB/s  %.0fs left   ", size ? 100.0 * (double)off /
	    (double)size : 0.0, off >> 20, size >> 20, ps->packets, rate / 1e6,
	    left);
}

static void
analyze_summary(const char *path, const struct capture_summary *s,
    double secs)
{
	printf("%s: %" PRIu64 " packets, %" PRIu64 " TCP connections, %" PRIu64
	    " WebSocket connections, %" PRIu64 " frames, %" PRIu64
	    " messages, %" PRIu64 " findings in %.2fs",
	    path, s->packets, s->connections, s->ws_connections, s->frames,
	    s->messages, s->findings, secs);
	if (s->gaps)
		printf("; %" PRIu64 " capture gaps (%" PRIu64 " bytes)", s->gaps,
		    s->gap_bytes);
	if (s->truncated_pkts)
		printf("; %" PRIu64 " packets cut by the snaplen",
		    s->truncated_pkts);
	if (s->fragments)
		printf("; %" PRIu64 " IP fragments not decoded", s->fragments);
	if (s->cap_flows || s->cap_idle || s->cap_ooo_dir || s->cap_ooo_total)
		printf("; caps hit: flows %" PRIu64 ", idle %" PRIu64
		    ", out-of-order per direction %" PRIu64 ", total %" PRIu64,
		    s->cap_flows, s->cap_idle, s->cap_ooo_dir, s->cap_ooo_total);
	printf(".\n");
}

static void
analyze_profile_list(void)
{
	const struct profile *p;
	unsigned              i;

	printf("%-18s %12s %12s %5s  %s\n", "profile", "max_frame",
	    "max_message", "code", "stack (source)");
	for (i = 0; i < profile_count; i++) {
		p = &profile_table[i];
		printf("%-18s %12" PRIu64 " %12" PRIu64 " %5s  %s (%s)\n",
		    p->name, p->max_frame, p->max_message,
		    p->close_code ? (p->close_code == 1009 ? "1009" : "1002") :
		    "drop", p->stack, p->source);
	}
}

static int
analyze_profile(const char *name, struct analysis_opts *o)
{
	const struct profile *p = profile_find(name);

	if (p == NULL) {
		wsa_warn("unknown profile '%s' (--profile list shows them)",
		    name);
		return -1;
	}
	o->ws.max_frame = p->max_frame;
	o->ws.max_message = p->max_message;
	return 0;
}

static int
cmd_analyze_exec(int argc, char **argv)
{
	enum {
		O_WSPORT = 256, O_CAP, O_MAXF, O_MAXM, O_PROFILE, O_STRICT,
		O_FLOWS, O_IDLE, O_OOO, O_OOOT, O_REPORT
	};
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "filter", required_argument, NULL, 'f' },
		{ "ws-port", required_argument, NULL, O_WSPORT },
		{ "payload-cap", required_argument, NULL, O_CAP },
		{ "max-frame", required_argument, NULL, O_MAXF },
		{ "max-message", required_argument, NULL, O_MAXM },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "max-flows", required_argument, NULL, O_FLOWS },
		{ "idle-timeout", required_argument, NULL, O_IDLE },
		{ "ooo-per-dir", required_argument, NULL, O_OOO },
		{ "ooo-total", required_argument, NULL, O_OOOT },
		{ "report", no_argument, NULL, O_REPORT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct analysis_opts   o;
	struct analysis       *an;
	struct sink_async     *aw;
	struct store          *st;
	struct capture_summary sum;
	struct report_opts     ro;
	struct sigaction       sa, old;
	struct timespec        t1;
	enum pipeline_result   r;
	const char            *out = NULL;
	char                   err[1024], *dbpath = NULL, *dot;
	uint64_t               v;
	int                    ch, i, quiet = 0, report = 0, progress;
	int                    status = EXIT_OK;
	long                   port;

	analysis_opts_default(&o);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:f:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			o.filter = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case O_WSPORT:
			port = strtol(optarg, &dot, 10);
			if (*dot != '\0' || port < 1 || port > 65535 ||
			    o.n_ws_ports == ANALYSIS_MAX_WS_PORTS) {
				wsa_warn("--ws-port: bad port '%s'", optarg);
				return EXIT_USAGE;
			}
			o.ws_ports[o.n_ws_ports++] = (uint16_t)port;
			break;
		case O_CAP:
			if (strcmp(optarg, "all") == 0)
				o.ws.payload_cap = SIZE_MAX;
			else if (parse_size(optarg, &v) == 0)
				o.ws.payload_cap = (size_t)v;
			else {
				wsa_warn("--payload-cap: bad size '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case O_MAXF:
		case O_MAXM:
		case O_OOO:
		case O_OOOT:
		case O_FLOWS:
		case O_IDLE:
			if (parse_size(optarg, &v) != 0) {
				wsa_warn("%s: bad number '%s'",
				    longopts[ch - O_WSPORT + 2].name, optarg);
				return EXIT_USAGE;
			}
			if (ch == O_MAXF)
				o.ws.max_frame = v;
			else if (ch == O_MAXM)
				o.ws.max_message = v;
			else if (ch == O_OOO)
				o.flow.ooo_per_dir = v;
			else if (ch == O_OOOT)
				o.flow.ooo_total = v;
			else if (ch == O_FLOWS)
				o.flow.max_flows = v;
			else
				o.flow.idle_timeout = v;
			break;
		case O_PROFILE:
			if (strcmp(optarg, "list") == 0) {
				analyze_profile_list();
				return EXIT_OK;
			}
			if (analyze_profile(optarg, &o) != 0)
				return EXIT_USAGE;
			break;
		case O_STRICT:
			o.ws.strict = 1;
			break;
		case O_REPORT:
			report = 1;
			break;
		case 'h':
			analyze_usage(stdout);
			return EXIT_OK;
		default:
			analyze_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		analyze_usage(stderr);
		return EXIT_USAGE;
	}
	if (out == NULL) {
		if (strcmp(argv[optind], "-") == 0) {
			wsa_warn("reading standard input: name the database "
			    "with -o");
			return EXIT_USAGE;
		}
		dbpath = xmalloc(strlen(argv[optind]) + 4);
		strcpy(dbpath, argv[optind]);
		dot = strrchr(dbpath, '.');
		if (dot != NULL && strchr(dot, '/') == NULL)
			*dot = '\0';
		strcat(dbpath, ".db");
		out = dbpath;
	}
	st = store_open(out, 0, err, sizeof err);
	if (st == NULL) {
		wsa_warn("%s", err);
		free(dbpath);
		return EXIT_INPUT;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = analyze_sigint;
	sigaction(SIGINT, &sa, &old);
	progress = !quiet && isatty(STDERR_FILENO);
	/* Decoding and writing the database on two threads. */
	aw = sink_async_new(&store_sink_ops, st, 32u << 20);
	an = analysis_new(&o, &sink_async_ops, aw);
	for (i = optind; i < argc && !analyze_stop; i++) {
		clock_gettime(CLOCK_MONOTONIC, &analyze_t0);
		r = analysis_run(an, argv[i], &analyze_stop_flag,
		    progress ? analyze_progress : NULL, NULL, &sum, err,
		    sizeof err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (progress)
			fprintf(stderr, "\r%78s\r", "");
		if (r != PIPELINE_OPEN_FAILED && !quiet)
			analyze_summary(argv[i], &sum,
			    (double)(t1.tv_sec - analyze_t0.tv_sec) +
			    (double)(t1.tv_nsec - analyze_t0.tv_nsec) / 1e9);
		if (r == PIPELINE_INTERRUPTED) {
			wsa_warn("%s: interrupted; what was read is stored in "
			    "%s, marked incomplete", argv[i], out);
			status = EXIT_INPUT;
		} else if (r != PIPELINE_OK) {
			wsa_warn("%s", err);
			status = EXIT_INPUT;
		}
	}
	analysis_free(an);
	sink_async_free(aw);
	sigaction(SIGINT, &old, NULL);
	if (report && status == EXIT_OK) {
		report_opts_default(&ro);
		if (report_run(st, &ro, stdout) == EXIT_INPUT)
			status = EXIT_INPUT;
	}
	store_close(st);
	free(dbpath);
	return status;
}
