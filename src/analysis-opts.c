/*
 * analysis-opts: the options shared by analyze, browse and (the filter)
 * streams: their rows, help and man page text, and how they are applied.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis-opts.h"
#include "escape.h"
#include "rules.h"

static void aopt_profiles(void);

const struct cmd_option analysis_filter_options[] = {
	{ .name = "filter", .key = 'f', .arg = "EXPR",
	  .help = "read only packets matching a BPF filter expression (packet "
	    "numbers still count every record)",
	  .doc = "Read only packets matching a BPF filter expression.\n"
	    "Packet numbers still count every record of the file." },
	{ 0 }
};

const struct cmd_option analysis_keylog_options[] = {
	{ .name = "keylog", .key = AOPT_KEYLOG, .arg = "FILE",
	  .help = "decrypt TLS (wss://) with the secrets of an NSS key log "
	    "(SSLKEYLOGFILE) (repeatable)",
	  .doc = "Decrypt TLS connections\n"
	    ".RB ( wss:// )\n"
	    "with the secrets of a key log in the NSS format, the one\n"
	    ".B SSLKEYLOGFILE\n"
	    "makes browsers, curl, Node\n"
	    "(its tls-keylog option),\n"
	    "Python\n"
	    ".RB ( ssl.SSLContext.keylog_filename )\n"
	    "and\n"
	    ".B openssl s_client \\-keylogfile\n"
	    "write.\n"
	    "May be given up to 16 times; the secrets of every file are used.\n"
	    "Malformed lines are named and skipped.\n"
	    "Keys in a pcapng capture's Decryption Secrets Blocks are read\n"
	    "too;\n"
	    ".B analyze\n"
	    "and\n"
	    ".B browse\n"
	    "read them without it (see\n"
	    ".BR TLS ).\n"
	    "With\n"
	    ".BR streams ,\n"
	    "the dump of a TLS connection holds its decrypted bytes." },
	{ 0 }
};

const struct cmd_option analysis_options[] = {
	{ .include = analysis_filter_options },
	{ .name = "ws-port", .key = AOPT_WSPORT, .arg = "PORT",
	  .help = "decode TCP port PORT as WebSocket even with no handshake or "
	    "frame-like start (repeatable)",
	  .doc = "Decode TCP port\n"
	    ".I port\n"
	    "as WebSocket even when neither a handshake nor frame-like bytes "
	    "are seen\n"
	    "first.\n"
	    "The end on that port is the server.\n"
	    "May be given up to 16 times." },
	{ .include = analysis_keylog_options },
	{ .name = "payload-cap", .key = AOPT_CAP, .arg = "BYTES",
	  .help = "payload bytes kept per message (default 4K; 0 none; 'all' "
	    "up to 64M)",
	  .doc = "Payload bytes kept per message and per frame.\n"
	    "Default 4K;\n"
	    ".B 0\n"
	    "keeps none,\n"
	    ".B all\n"
	    "keeps everything up to 64M, the most it accepts." },
	{ .name = "max-frame", .key = AOPT_MAXF, .arg = "BYTES",
	  .help = "report frames larger than this (frame-too-big)",
	  .doc = "Report frames larger than this\n"
	    ".RB ( frame-too-big ).\n"
	    "Off by default." },
	{ .name = "max-message", .key = AOPT_MAXM, .arg = "BYTES",
	  .help = "report messages larger than this, after inflation "
	    "(message-too-big); also bounds inflation",
	  .doc = "Report messages larger than this after inflation\n"
	    ".RB ( message-too-big ).\n"
	    "Inflation of a message stops there, so a compression bomb costs "
	    "no memory.\n"
	    "Off by default." },
	{ .name = "max-inflate", .key = AOPT_INFL, .arg = "BYTES",
	  .help = "stop inflating a message past this (default 256M; 0 never); "
	    "counted as a cap hit",
	  .doc = "Stop inflating a message past this many bytes, so that a "
	    "compression bomb\n"
	    "costs bounded time (inflating runs at about 0.5 GiB/s).\n"
	    "The message is marked\n"
	    ".B inflate_capped\n"
	    "and counted as a cap hit; its size is then a lower bound, and "
	    "with\n"
	    "context takeover the later compressed messages of that direction "
	    "are\n"
	    "counted but not inflated.\n"
	    "Default 256M;\n"
	    ".B 0\n"
	    "never stops.\n"
	    ".B --max-message\n"
	    "takes its place when set." },
	{ .name = "profile", .key = AOPT_PROFILE, .arg = "NAME",
	  .list = aopt_profiles,
	  .help = "set the limits of a known implementation's defaults; "
	    "--profile list prints them",
	  .doc = "Set\n"
	    ".B --max-frame\n"
	    "and\n"
	    ".B --max-message\n"
	    "to a known implementation's defaults (see\n"
	    ".BR PROFILES ).\n"
	    ".B --profile list\n"
	    "prints them." },
	{ .name = "strict", .key = AOPT_STRICT,
	  .help = "also report strict-only rules (non-minimal-length)",
	  .doc = "Also report strict-only rules\n"
	    ".RB ( non-minimal-length )." },
	{ .name = "max-flows", .key = AOPT_FLOWS, .arg = "N",
	  .help = "live connections kept (default 100000)",
	  .doc = "Live connections kept at once; past it the least recently "
	    "active one is\n"
	    "forgotten (counted as a cap hit).\n"
	    "Default 100000 (see\n"
	    ".BR RESOURCES )." },
	{ .name = "idle-timeout", .key = AOPT_IDLE, .arg = "SECONDS",
	  .help = "forget connections idle this long (default 900)",
	  .doc = "Forget connections idle this long in capture time.\n"
	    "Default 900." },
	{ .name = "ooo-per-dir", .key = AOPT_OOO, .arg = "BYTES",
	  .help = "out-of-order bytes held per direction (default 4M)",
	  .doc = "Out-of-order bytes held per direction while waiting for a "
	    "hole to fill; past\n"
	    "it the hole becomes a gap.\n"
	    "Default 4M." },
	{ .name = "ooo-total", .key = AOPT_OOOT, .arg = "BYTES",
	  .help = "out-of-order bytes held in all (default 256M)" },
	{ 0 }
};

static void
aopt_profiles(void)
{
	const struct profile *p;
	unsigned              i;

	printf("%-18s %12s %12s %10s  %s\n", "profile", "max_frame",
	    "max_message", "on excess", "stack (source)");
	for (i = 0; i < profile_count; i++) {
		p = &profile_table[i];
		printf("%-18s %12" PRIu64 " %12" PRIu64 " %10s  %s (%s)\n",
		    p->name, p->max_frame, p->max_message,
		    profile_excess_short(p), p->stack, p->source);
	}
}

enum aopt_result
analysis_opt(struct analysis_opts *o, const struct cmd_entry *e,
    const struct cmd_arg *a)
{
	char             err[1024];
	enum aopt_result r = analysis_opt_value(o, a, err, sizeof err);

	if (r == AOPT_BAD)
		cmd_usage_error(e, "%s", err);
	return r;
}

enum aopt_result
analysis_opt_value(struct analysis_opts *o, const struct cmd_arg *a,
    char *err, size_t errlen)
{
	const struct profile *p;
	const char           *arg = a->value;
	uint64_t              v;
	char                 *end;
	long                  port;

	switch (a->opt->key) {
	case 'f':
		o->filter = arg;
		return AOPT_DONE;
	case AOPT_WSPORT:
		port = strtol(arg, &end, 10);
		if (*end != '\0' || port < 1 || port > 65535 ||
		    o->n_ws_ports == ANALYSIS_MAX_WS_PORTS) {
			snprintf(err, errlen, "--ws-port: bad port '%s'", arg);
			return AOPT_BAD;
		}
		o->ws_ports[o->n_ws_ports++] = (uint16_t)port;
		return AOPT_DONE;
	case AOPT_KEYLOG:
		if (o->n_keylogs == ANALYSIS_MAX_KEYLOGS) {
			snprintf(err, errlen, "--keylog: at most %d key logs",
			    ANALYSIS_MAX_KEYLOGS);
			return AOPT_BAD;
		}
		if (access(arg, R_OK) != 0) {
			snprintf(err, errlen, "--keylog: cannot read '%s': %s", arg,
			    strerror(errno));
			return AOPT_BAD;
		}
		o->keylogs[o->n_keylogs++] = arg;
		return AOPT_DONE;
	case AOPT_CAP:
		if (strcmp(arg, "all") == 0)
			o->ws.payload_cap = WS_PAYLOAD_CAP_MAX;
		else if (parse_size(arg, &v) == 0 && v <= WS_PAYLOAD_CAP_MAX)
			o->ws.payload_cap = (size_t)v;
		else {
			snprintf(err, errlen, "--payload-cap: bad size '%s' (at "
			    "most 64M, which 'all' means)", arg);
			return AOPT_BAD;
		}
		return AOPT_DONE;
	case AOPT_PROFILE:
		if ((p = profile_find(arg)) == NULL) {
			snprintf(err, errlen, "unknown profile '%s' (--profile "
			    "list shows them)", arg);
			return AOPT_BAD;
		}
		o->ws.max_frame = p->max_frame;
		o->ws.max_message = p->max_message;
		return AOPT_DONE;
	case AOPT_STRICT:
		o->ws.strict = 1;
		return AOPT_DONE;
	case AOPT_MAXF:
	case AOPT_MAXM:
	case AOPT_INFL:
	case AOPT_FLOWS:
	case AOPT_IDLE:
	case AOPT_OOO:
	case AOPT_OOOT:
		if (parse_size(arg, &v) != 0) {
			snprintf(err, errlen, "--%s: bad number '%s'",
			    a->opt->name, arg);
			return AOPT_BAD;
		}
		if (a->opt->key == AOPT_MAXF)
			o->ws.max_frame = v;
		else if (a->opt->key == AOPT_MAXM)
			o->ws.max_message = v;
		else if (a->opt->key == AOPT_INFL)
			o->ws.max_inflate = v;
		else if (a->opt->key == AOPT_FLOWS)
			o->flow.max_flows = v;
		else if (a->opt->key == AOPT_IDLE)
			o->flow.idle_timeout = v;
		else if (a->opt->key == AOPT_OOO)
			o->flow.ooo_per_dir = v;
		else
			o->flow.ooo_total = v;
		return AOPT_DONE;
	}
	return AOPT_NOT_MINE;
}

int
analysis_opts_stored(const struct cmd_entry *e, const char *text,
    struct analysis_opts *o, char **words, char *err, size_t errlen)
{
	struct cmd_args a;
	char          **argv, *out, msg[1024];
	const char     *p = text;
	size_t          len = strlen(text);
	int             argc = 0, i, rc = -1;

	*words = NULL;
	if (len > AOPT_STORED_MAX) {
		snprintf(err, errlen, "the options it was analysed with are "
		    "%zu bytes long, more than analyze writes", len);
		return -1;
	}
	/* Each word takes at most its characters and a NUL: len + 1. */
	*words = out = xmalloc(sizeof "analyze" + len + 1);
	argv = xcalloc(len + 2, sizeof *argv);
	memcpy(out, "analyze", sizeof "analyze");
	argv[argc++] = out;
	out += sizeof "analyze";
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		argv[argc++] = out;
		while (*p != '\0' && *p != ' ') {
			if (*p == '\'') {
				for (p++; *p != '\0' && *p != '\''; p++)
					*out++ = *p;
				if (*p == '\'')
					p++;
			} else if (*p == '\\' && p[1] != '\0') {
				*out++ = p[1];
				p += 2;
			} else
				*out++ = *p++;
		}
		*out++ = '\0';
	}
	if (cmd_parse(e, NULL, 0, argc, argv, &a, msg, sizeof msg) != 0) {
		snprintf(err, errlen, "the options it was analysed with do "
		    "not read back: %s", msg);
		goto out;
	}
	if (a.argc > 0) {
		snprintf(err, errlen, "the options it was analysed with do "
		    "not read back: '%s' is not an option", a.argv[0]);
		goto out;
	}
	for (i = 0; i < a.nopts; i++) {
		/*
		 * Not one of these (analyze's --shard): it chose which
		 * connections were kept, not how they decode.
		 */
		if (a.opts[i].opt->key == AOPT_KEYLOG &&
		    access(a.opts[i].value, R_OK) != 0) {
			snprintf(err, errlen, "%s: the key log the capture was "
			    "analysed with cannot be read: %s",
			    a.opts[i].value, strerror(errno));
			goto out;
		}
		if (analysis_opt_value(o, &a.opts[i], msg, sizeof msg) ==
		    AOPT_BAD) {
			snprintf(err, errlen, "the options it was analysed "
			    "with do not read back: %s", msg);
			goto out;
		}
	}
	rc = 0;
out:
	free(a.opts);
	free(argv);
	return rc;
}
