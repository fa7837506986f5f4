/*
 * analysis-opts: parsing of the options shared by analyze and browse.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis-opts.h"
#include "rules.h"

static const char *aopt_name(int);
static void        aopt_profiles(void);

const char analysis_opts_help[] =
"  -f, --filter EXPR       read only packets matching a BPF filter\n"
"      --ws-port PORT      decode TCP port PORT as WebSocket even with no\n"
"                          handshake or frame-like start (repeatable)\n"
"      --payload-cap BYTES payload bytes kept per message (default 4K; 0 none;\n"
"                          'all' up to 64M)\n"
"      --max-frame BYTES   report frames larger than this (frame-too-big)\n"
"      --max-message BYTES report messages larger than this, after\n"
"                          inflation (message-too-big); also bounds inflation\n"
"      --max-inflate BYTES stop inflating a message past this (default 256M;\n"
"                          0 never); counted as a cap hit\n"
"      --profile NAME      set the limits of a known implementation's defaults;\n"
"                          --profile list prints them\n"
"      --strict            also report strict-only rules (non-minimal-length)\n"
"      --max-flows N       live connections kept (default 100000)\n"
"      --idle-timeout SEC  forget connections idle this long (default 900)\n"
"      --ooo-per-dir BYTES out-of-order bytes held per direction (default 4M)\n"
"      --ooo-total BYTES   out-of-order bytes held in all (default 256M)\n";

static const char *
aopt_name(int ch)
{
	switch (ch) {
	case AOPT_MAXF:
		return "--max-frame";
	case AOPT_MAXM:
		return "--max-message";
	case AOPT_INFL:
		return "--max-inflate";
	case AOPT_FLOWS:
		return "--max-flows";
	case AOPT_IDLE:
		return "--idle-timeout";
	case AOPT_OOO:
		return "--ooo-per-dir";
	default:
		return "--ooo-total";
	}
}

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
analysis_opt(struct analysis_opts *o, int ch, const char *arg)
{
	const struct profile *p;
	uint64_t              v;
	char                 *end;
	long                  port;

	switch (ch) {
	case 'f':
		o->filter = arg;
		return AOPT_DONE;
	case AOPT_WSPORT:
		port = strtol(arg, &end, 10);
		if (*end != '\0' || port < 1 || port > 65535 ||
		    o->n_ws_ports == ANALYSIS_MAX_WS_PORTS) {
			wsa_warn("--ws-port: bad port '%s'", arg);
			return AOPT_BAD;
		}
		o->ws_ports[o->n_ws_ports++] = (uint16_t)port;
		return AOPT_DONE;
	case AOPT_CAP:
		if (strcmp(arg, "all") == 0)
			o->ws.payload_cap = WS_PAYLOAD_CAP_MAX;
		else if (parse_size(arg, &v) == 0 && v <= WS_PAYLOAD_CAP_MAX)
			o->ws.payload_cap = (size_t)v;
		else {
			wsa_warn("--payload-cap: bad size '%s' (at most 64M, "
			    "which 'all' means)", arg);
			return AOPT_BAD;
		}
		return AOPT_DONE;
	case AOPT_PROFILE:
		if (strcmp(arg, "list") == 0) {
			aopt_profiles();
			return AOPT_LISTED;
		}
		if ((p = profile_find(arg)) == NULL) {
			wsa_warn("unknown profile '%s' (--profile list shows "
			    "them)", arg);
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
			wsa_warn("%s: bad number '%s'", aopt_name(ch), arg);
			return AOPT_BAD;
		}
		if (ch == AOPT_MAXF)
			o->ws.max_frame = v;
		else if (ch == AOPT_MAXM)
			o->ws.max_message = v;
		else if (ch == AOPT_INFL)
			o->ws.max_inflate = v;
		else if (ch == AOPT_FLOWS)
			o->flow.max_flows = v;
		else if (ch == AOPT_IDLE)
			o->flow.idle_timeout = v;
		else if (ch == AOPT_OOO)
			o->flow.ooo_per_dir = v;
		else
			o->flow.ooo_total = v;
		return AOPT_DONE;
	}
	return AOPT_NOT_MINE;
}
