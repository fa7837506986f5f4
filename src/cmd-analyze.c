/*
 * wsautopsy analyze: analyze captures into a SQLite database.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture-set.h"
#include "cmd.h"
#include "escape.h"
#include "report.h"
#include "rules.h"
#include "analysis-opts.h"
#include "analysis.h"
#include "sink-async.h"
#include "store.h"
#include "workers.h"

static int  cmd_analyze_exec(struct cmd_args *);
static void analyze_sigint(int);
static void analyze_progress(void *, const struct pipeline_stats *,
		uint64_t, uint64_t);
static int64_t analyze_last_capture(struct store *);
static void analyze_summary(const char *, const struct capture_summary *,
		double);
static void analyze_warn(void *, const char *);
static void analyze_set_line(const struct capture_set_info *);
static int  analyze_shard(const char *, struct analysis_opts *);
static int  analyze_jobs(const char *, struct analysis_opts *);
static unsigned analyze_cpus(void);
static int  analyze_summary_json(struct store *, int64_t);

enum { ANALYZE_REPORT = CMD_LONG, ANALYZE_SUMMARY_JSON, ANALYZE_SEPARATE,
    ANALYZE_SHARD };

static const struct cmd_option analyze_options[] = {
	{ .name = "output", .key = 'o', .arg = "DB",
	  .help = "database to write (default: the first capture's name with "
	    ".db); several captures may share one",
	  .doc = "Database to write.\n"
	    "Default: the first capture's name with its extension replaced "
	    "by\n"
	    ".BR .db .\n"
	    "Several captures may share one database." },
	{ .include = analysis_options },
	{ .name = "report", .key = ANALYZE_REPORT,
	  .help = "print the text report of the captures just analyzed "
	    "when done" },
	{ .name = "summary-json", .key = ANALYZE_SUMMARY_JSON,
	  .help = "the summary as JSON on standard output, one object per "
	    "capture stored, instead of the text lines",
	  .doc = "The summary as data: instead of the text lines, once every\n"
	    "capture is analyzed, one JSON object per line for each capture\n"
	    "this run stored, read back from the database:\n"
	    "the counts of the\n"
	    ".B captures\n"
	    "view (counts, the caps hit as\n"
	    ".BR cap_* ,\n"
	    ".BR complete ,\n"
	    ".BR error ,\n"
	    "the\n"
	    ".B files\n"
	    "of a capture set and its\n"
	    ".BR duplicates ),\n"
	    ".B by_class\n"
	    "(findings per class),\n"
	    ".B stacks\n"
	    "(an array of\n"
	    ".BR side ,\n"
	    ".B stack\n"
	    "and\n"
	    ".BR connections )\n"
	    "and\n"
	    ".B open\n"
	    "(an array of the WebSocket connections still open when the\n"
	    "capture ended:\n"
	    ".BR connection_id ,\n"
	    ".BR client ,\n"
	    ".BR server ).\n"
	    "Printed with\n"
	    ".B -q\n"
	    "too, before the report of\n"
	    ".BR --report ." },
	{ .name = "separate", .key = ANALYZE_SEPARATE,
	  .help = "each file its own capture, for unrelated captures (by "
	    "default the files given are one capture set)",
	  .doc = "Each file is its own capture, as for unrelated captures.\n"
	    "By default the files given (and the capture files of a\n"
	    "directory given) are one capture set: the files of a ring read\n"
	    "as one timeline (see\n"
	    ".BR \"CAPTURE SETS\" )." },
	{ .name = "shard", .key = ANALYZE_SHARD, .arg = "K/N",
	  .help = "decode only the connections of shard K of N (by a hash of "
	    "their addresses and ports); every packet is still read",
	  .doc = "Decode only the connections whose address and port 4-tuple\n"
	    "hashes (the same in both directions) into shard\n"
	    ".I K\n"
	    "of\n"
	    ".I N\n"
	    "(1 <= K <= N); every packet is still read, in time order.\n"
	    "N runs with K = 1 to N, on as many cores or hosts, hold every\n"
	    "connection once between them.\n"
	    "The shard is recorded in the capture's options.\n"
	    "Caps that count all connections\n"
	    ".RB ( \\-\\-max\\-flows ,\n"
	    ".BR \\-\\-ooo\\-total )\n"
	    "count one shard's, and the end-of-capture bounds of a server's\n"
	    "limit see the connections of the shard only, until\n"
	    ".B wsautopsy merge\n"
	    "joins the shards' databases and bounds them again with every\n"
	    "shard's evidence." },
	{ .name = "jobs", .key = 'j', .arg = "N",
	  .help = "decode connections on N threads (default: the CPUs it "
	    "may run on); the results are the same for every N",
	  .doc = "Decode the connections on\n"
	    ".I N\n"
	    "threads (1 to 256; default: the number of CPUs the process may\n"
	    "run on, as\n"
	    ".BR taskset (1)\n"
	    "or a container's cpuset sets them), behind\n"
	    "one reader and one database writer. A connection belongs to the\n"
	    "thread its 4-tuple hash picks for its whole life; ids are given\n"
	    "in order of each connection's first packet, and the\n"
	    "end-of-capture bounds pass sees every thread's connections, so\n"
	    "the database is the same for every\n"
	    ".IR N ,\n"
	    "except the order of\n"
	    ".B finding_id\n"
	    "values and the resource peaks\n"
	    ".RB ( peak_live ,\n"
	    ".BR peak_ooo_bytes :\n"
	    "the threads' peaks added).\n"
	    "The caps that count every connection\n"
	    ".RB ( \\-\\-max\\-flows ,\n"
	    ".BR \\-\\-ooo\\-total )\n"
	    "are split evenly between the threads, so memory does not grow\n"
	    "with\n"
	    ".IR N ;\n"
	    "where a cap is reached, which connections it cut depends on\n"
	    ".IR N .\n"
	    "Memory: at most 1 MiB of packets in flight per thread, plus the\n"
	    "open connections' state, as with one thread." },
	{ .name = "quiet", .key = 'q',
	  .help = "no progress line and no summary" },
	{ 0 }
};

const struct cmd_entry cmd_analyze_entry = {
	.name = "analyze",
	.summary = "analyze captures into a SQLite database",
	.usage = "CAPTURE...|DIR",
	.about = "Decode every WebSocket connection of the captures, classify "
	    "every close and violation, and store the results in a SQLite "
	    "database. The files given (or those of a directory) are read as "
	    "one capture set, in time order, unless --separate.",
	.notes = "Sizes take K, M and G suffixes (powers of 1024).",
	.options = analyze_options,
	.args = { 1, -1 },
	.exec = cmd_analyze_exec
};

static volatile sig_atomic_t analyze_stop;
static volatile int          analyze_stop_flag;
static struct timespec       analyze_t0;

static void
analyze_sigint(int sig)
{
	(void)sig;
	analyze_stop = 1;
	analyze_stop_flag = 1;
}

/* arg: the capture_summary analysis_run keeps up to date. */
static void
analyze_progress(void *arg, const struct pipeline_stats *ps, uint64_t off,
    uint64_t size)
{
	const struct capture_summary *sum = arg;
	struct timespec               now;
	double                        el, rate, left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	el = (double)(now.tv_sec - analyze_t0.tv_sec) +
	    (double)(now.tv_nsec - analyze_t0.tv_nsec) / 1e9;
	rate = el > 0 ? (double)off / el : 0;
	left = rate > 0 && size > off ? (double)(size - off) / rate : 0;
	fprintf(stderr, "\r%5.1f%%  %" PRIu64 "/%" PRIu64 " MB  %" PRIu64
	    " packets  %" PRIu64 " connections  %" PRIu64 " findings  %.0f MB/s"
	    "  %.0fs left ", size ? 100.0 * (double)off / (double)size : 0.0,
	    off >> 20, size >> 20, ps->packets, sum->connections,
	    sum->findings, rate / 1e6, left);
}

/*
 * The default of -j: the CPUs this process may run on (taskset, a
 * container's cpuset, a Slurm task's CPUs), else those online.
 */
static unsigned
analyze_cpus(void)
{
	cpu_set_t set;
	long      n = -1;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : (unsigned)n;
}

/* "N", 1 <= N <= WORKERS_MAX: decode threads; -1 when it is not that. */
static int
analyze_jobs(const char *arg, struct analysis_opts *o)
{
	char         *end;
	unsigned long n;

	if (arg[0] < '0' || arg[0] > '9')
		return -1;
	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || n > WORKERS_MAX)
		return -1;
	o->jobs = (unsigned)n;
	return 0;
}

/* "K/N", 1 <= K <= N: shard K - 1 of N; -1 when it is not that. */
static int
analyze_shard(const char *arg, struct analysis_opts *o)
{
	unsigned long k, n;
	char         *end;

	if (*arg < '0' || *arg > '9')
		return -1;
	k = strtoul(arg, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return -1;
	n = strtoul(end + 1, &end, 10);
	if (*end != '\0' || k < 1 || n < 1 || k > n || n > 65536)
		return -1;
	o->flow.shard = (uint32_t)(k - 1);
	o->flow.shards = (uint32_t)n;
	return 0;
}

/* "3 files read as one capture set (10:02:11 - 10:05:40), " */
static void
analyze_set_line(const struct capture_set_info *si)
{
	struct wts first = { 0, 0 }, last = { 0, 0 };
	time_t     t;
	struct tm  tm;
	char       a[32] = "?", b[32] = "?";
	size_t     i;
	int        seen = 0;

	for (i = 0; i < si->nfiles; i++) {
		if (!si->files[i].seen)
			continue;
		if (!seen || wts_ns_between(first, si->files[i].first) < 0)
			first = si->files[i].first;
		if (!seen || wts_ns_between(last, si->files[i].last) > 0)
			last = si->files[i].last;
		seen = 1;
	}
	if (seen) {
		t = (time_t)first.sec;
		if (gmtime_r(&t, &tm) != NULL)
			strftime(a, sizeof a, "%H:%M:%S", &tm);
		t = (time_t)last.sec;
		if (gmtime_r(&t, &tm) != NULL)
			strftime(b, sizeof b, "%H:%M:%S", &tm);
	}
	printf("%zu files read as one capture set (%s - %s UTC), ",
	    si->nfiles, a, b);
}

/* A file of the set that could not be read: one line, the rest goes on. */
static void
analyze_warn(void *arg, const char *why)
{
	int *status = arg;
	char line[1024];

	esc_terminal_str(why, line, sizeof line);
	wsa_warn("%s; read the set without it", line);
	*status = EXIT_INPUT;
}


static void
analyze_summary(const char *path, const struct capture_summary *s,
    double secs)
{
	const char *sep;
	char        name[1024];
	int         i;

	/* A file name is as untrusted as a payload: it may hold escapes. */
	esc_terminal_str(path, name, sizeof name);
	/* With a filter, the packets it took, of those the file holds. */
	printf("%s: ", name);
	if (s->set != NULL && s->set->nfiles > 1)
		analyze_set_line(s->set);
	if (s->packets_matched != s->packets)
		printf("%" PRIu64 " of %" PRIu64 " packets matched the filter",
		    s->packets_matched, s->packets);
	else
		printf("%" PRIu64 " packet%s", s->packets,
		    s->packets == 1 ? "" : "s");
	printf(", %" PRIu64 " TCP connection%s, %"
	    PRIu64 " WebSocket, %" PRIu64 " frame%s, %" PRIu64 " message%s, %"
	    PRIu64 " finding%s", s->connections,
	    s->connections == 1 ? "" : "s", s->ws_connections, s->frames,
	    s->frames == 1 ? "" : "s", s->messages, s->messages == 1 ? "" : "s",
	    s->findings, s->findings == 1 ? "" : "s");
	for (i = 0, sep = " ("; i < FINDING_CLASSES; i++) {
		if (s->by_class[i] == 0)
			continue;
		printf("%s%s %" PRIu64, sep, finding_class_names[i],
		    s->by_class[i]);
		sep = ", ";
	}
	if (s->findings != 0)
		printf(")");
	printf(" in %.2fs", secs);
	if (s->gaps)
		printf("; %" PRIu64 " capture gaps (%" PRIu64 " bytes)", s->gaps,
		    s->gap_bytes);
	if (s->conflicts)
		printf("; %" PRIu64 " conflicting overlaps", s->conflicts);
	if (s->unchecked)
		printf("; %" PRIu64 " retransmissions not compared (%" PRIu64
		    " bytes)", s->unchecked, s->unchecked_bytes);
	if (s->truncated_pkts)
		printf("; %" PRIu64 " packets cut by the snaplen",
		    s->truncated_pkts);
	if (s->fragments)
		printf("; %" PRIu64 " IP fragments not decoded", s->fragments);
	if (s->duplicates)
		printf("; %" PRIu64 " duplicate packets dropped (files "
		    "overlapping in time)", s->duplicates);
	if (s->tls_connections)
		printf("; %" PRIu64 " TLS connection%s", s->tls_connections,
		    s->tls_connections == 1 ? "" : "s");
	if (s->tls_no_keys)
		printf(", %" PRIu64 " TLS connection%s without keys (--keylog "
		    "FILE)", s->tls_no_keys, s->tls_no_keys == 1 ? "" : "s");
	if (s->tls_h2)
		printf(", %" PRIu64 " HTTP/2 (ALPN h2, not decoded)", s->tls_h2);
	if (s->cap_flows || s->cap_idle || s->cap_ooo_dir || s->cap_ooo_total ||
	    s->cap_inflate)
		printf("; caps hit: flows %" PRIu64 ", idle %" PRIu64
		    ", out-of-order per direction %" PRIu64 ", total %" PRIu64
		    ", inflate %" PRIu64, s->cap_flows, s->cap_idle,
		    s->cap_ooo_dir, s->cap_ooo_total, s->cap_inflate);
	printf(".\n");
}

/*
 * One JSON object per capture stored after capture_id last, built by
 * SQLite's JSON functions (which escape whatever the database holds).
 */
static int
analyze_summary_json(struct store *st, int64_t last)
{
	sqlite3_stmt *q;
	int           rc;

	if (sqlite3_prepare_v2(store_db(st), "SELECT json_object("
	    "'capture', capture, 'path', path, 'sha256', sha256, 'complete',"
	    " complete, 'error', error, 'packets', packets, 'bytes', bytes,"
	    " 'tcp_packets', tcp_packets, 'fragments', fragments,"
	    " 'truncated_packets', truncated_packets, 'connections',"
	    " connections, 'ws_connections', ws_connections, 'frames', frames,"
	    " 'messages', messages, 'findings', findings, 'gaps', gaps,"
	    " 'gap_bytes', gap_bytes, 'conflicts', conflicts, 'unchecked',"
	    " unchecked, 'unchecked_bytes', unchecked_bytes, 'cap_flows',"
	    " cap_flows, 'cap_idle', cap_idle, 'cap_ooo_dir', cap_ooo_dir,"
	    " 'cap_ooo_total', cap_ooo_total, 'cap_inflate', cap_inflate,"
	    " 'cap_bounds', cap_bounds, 'files', files, 'duplicates',"
	    " duplicates,"
	    " 'by_class', (SELECT json_group_object(class, n) FROM (SELECT"
	    " class, count(*) AS n FROM finding_t f WHERE f.capture_id ="
	    " k.capture_id GROUP BY class ORDER BY class)),"
	    " 'stacks', (SELECT json_group_array(json_object('side', side,"
	    " 'stack', stack, 'connections', n)) FROM (SELECT side, stack,"
	    " count(*) AS n FROM (SELECT 'client' AS side, client_stack AS"
	    " stack FROM connections c WHERE c.capture_id = k.capture_id"
	    " UNION ALL SELECT 'server', server_stack FROM connections c"
	    " WHERE c.capture_id = k.capture_id) WHERE stack IS NOT NULL"
	    " GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2)),"
	    " 'open', (SELECT json_group_array(json_object('connection_id',"
	    " connection_id, 'client', client, 'server', server)) FROM (SELECT"
	    " connection_id, client, server FROM connections c WHERE"
	    " c.capture_id = k.capture_id AND websocket = 1 AND tcp_end ="
	    " 'open' ORDER BY connection_id)))"
	    " FROM captures k WHERE capture_id > ?1 ORDER BY capture_id", -1,
	    &q, NULL) != SQLITE_OK) {
		wsa_warn("%s: %s", store_path(st), sqlite3_errmsg(store_db(st)));
		return -1;
	}
	sqlite3_bind_int64(q, 1, last);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		printf("%s\n", (const char *)sqlite3_column_text(q, 0));
	if (rc != SQLITE_DONE)
		wsa_warn("%s: %s", store_path(st), sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The largest capture_id before this run: a capture stored now gets a
 * greater one (even one analyzed again, whose old rows go after its new
 * row is in), so --report shows exactly this run's.
 */
static int64_t
analyze_last_capture(struct store *st)
{
	sqlite3_stmt *q;
	int64_t       last = 0;

	if (sqlite3_prepare_v2(store_db(st), "SELECT coalesce(max(capture_id),"
	    " 0) FROM capture_t", -1, &q, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(q) == SQLITE_ROW)
		last = (int64_t)sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return last;
}

static int
cmd_analyze_exec(struct cmd_args *args)
{
	struct analysis_opts   o;
	struct analysis       *an;
	struct sink_async     *aw;
	struct store          *st;
	struct capture_summary sum;
	struct report_opts     ro;
	struct sigaction       sa, old;
	struct timespec        t1;
	enum pipeline_result   r;
	const struct capture_set_file *sf;
	const char            *out = NULL, *label;
	char                   err[1024], line[1024], *dbpath = NULL, *dot;
	char                 **files;
	size_t                 nfiles, i, k, each;
	int                    quiet = 0, report = 0, json = 0, progress;
	int                    status = EXIT_OK, created, stored = 0;
	int                    separate = 0, dirs, j;
	int64_t                last;

	analysis_opts_default(&o);
	o.jobs = analyze_cpus();
	for (j = 0; j < args->nopts; j++) {
		switch (args->opts[j].opt->key) {
		case 'o':
			out = args->opts[j].value;
			break;
		case 'q':
			quiet = 1;
			break;
		case ANALYZE_REPORT:
			report = 1;
			break;
		case ANALYZE_SUMMARY_JSON:
			json = 1;
			break;
		case ANALYZE_SEPARATE:
			separate = 1;
			break;
		case 'j':
			if (analyze_jobs(args->opts[j].value, &o) != 0)
				return cmd_usage_error(args->entry, "-j %s: a "
				    "number of threads from 1 to %d",
				    args->opts[j].value, WORKERS_MAX);
			break;
		case ANALYZE_SHARD:
			if (analyze_shard(args->opts[j].value, &o) != 0)
				return cmd_usage_error(args->entry, "--shard %s:"
				    " K/N with 1 <= K <= N", args->opts[j].value);
			break;
		default:
			if (analysis_opt(&o, args->entry, &args->opts[j]) !=
			    AOPT_DONE)
				return EXIT_USAGE;
		}
	}
	if (out == NULL && strcmp(args->argv[0], "-") == 0)
		return cmd_usage_error(args->entry, "reading standard "
		    "input: name the database with -o");
	if (capture_set_expand(args->argc, args->argv, &files, &nfiles, &dirs) != 0)
		return EXIT_INPUT;
	if (!separate && nfiles > 1)
		for (i = 0; i < nfiles; i++)
			if (strcmp(files[i], "-") == 0) {
				for (i = 0; i < nfiles; i++)
					free(files[i]);
				free(files);
				return cmd_usage_error(args->entry, "standard "
				    "input cannot be one file of a capture "
				    "set: give it alone, or use --separate");
			}
	if (out == NULL) {
		dbpath = xmalloc(strlen(args->argv[0]) + 4);
		strcpy(dbpath, args->argv[0]);
		/* A directory "ring/" makes "ring.db" beside it. */
		for (k = strlen(dbpath); k > 1 && dbpath[k - 1] == '/'; k--)
			dbpath[k - 1] = '\0';
		dot = strrchr(dbpath, '.');
		if (dot != NULL && strchr(dot, '/') == NULL && dot != dbpath &&
		    dot[-1] != '/')
			*dot = '\0';
		strcat(dbpath, ".db");
		out = dbpath;
	}
	/* A database made for captures that all failed to open is removed. */
	created = access(out, F_OK) != 0;
	st = store_open(out, 0, err, sizeof err);
	if (st == NULL) {
		wsa_warn("%s", err);
		free(dbpath);
		for (i = 0; i < nfiles; i++)
			free(files[i]);
		free(files);
		return EXIT_INPUT;
	}
	last = analyze_last_capture(st);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = analyze_sigint;
	sigaction(SIGINT, &sa, &old);
	progress = !quiet && isatty(STDERR_FILENO);
	/* Decoding and writing the database on two threads. */
	aw = sink_async_new(&store_sink_ops, st, 32u << 20);
	an = analysis_new(&o, &sink_async_ops, aw);
	/* One set of every file, or (--separate) one capture per file. */
	each = separate ? 1 : nfiles;
	label = !separate && dirs == 1 && args->argc == 1 ? args->argv[0] :
	    NULL;
	for (i = 0; i < nfiles && !analyze_stop; i += each) {
		clock_gettime(CLOCK_MONOTONIC, &analyze_t0);
		r = analysis_run_set(an, (const char *const *)files + i, each,
		    label, analyze_warn, &status, &analyze_stop_flag,
		    progress ? analyze_progress : NULL, &sum, &sum, err,
		    sizeof err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (r != PIPELINE_OPEN_FAILED)
			stored = 1;
		if (progress)
			fprintf(stderr, "\r%100s\r", "");
		if (r != PIPELINE_OPEN_FAILED && !quiet && !json)
			analyze_summary(each == 1 ? files[i] : analysis_name(an),
			    &sum, (double)(t1.tv_sec - analyze_t0.tv_sec) +
			    (double)(t1.tv_nsec - analyze_t0.tv_nsec) / 1e9);
		if (r == PIPELINE_INTERRUPTED) {
			wsa_warn("%s: interrupted; what was read is stored in "
			    "%s, marked incomplete", each == 1 ? files[i] :
			    analysis_name(an), out);
			status = EXIT_INPUT;
		} else if (r == PIPELINE_DAMAGED && sum.set != NULL &&
		    sum.set->nfiles > 1) {
			/* Each damaged file of the set, once. */
			for (k = 0; k < sum.set->nfiles; k++) {
				sf = &sum.set->files[k];
				if (!sf->read || sf->error[0] == '\0')
					continue;
				esc_terminal_str(sf->error, line, sizeof line);
				wsa_warn("%s; the set goes on with the other "
				    "files", line);
			}
			status = EXIT_INPUT;
		} else if (r != PIPELINE_OK) {
			wsa_warn("%s", err);
			status = EXIT_INPUT;
		}
	}
	analysis_free(an);
	sink_async_free(aw);
	sigaction(SIGINT, &old, NULL);
	if (json && stored && analyze_summary_json(st, last) != 0)
		status = EXIT_INPUT;
	if (report && status == EXIT_OK) {
		report_opts_default(&ro);
		ro.after_capture = last;
		if (report_run(st, &ro, stdout) == EXIT_INPUT)
			status = EXIT_INPUT;
	}
	store_close(st);
	if (created && !stored)
		store_unlink(out);
	free(dbpath);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return status;
}
