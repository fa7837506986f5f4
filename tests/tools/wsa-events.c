/*
 * wsa-events: runs the analysis on a capture with the recording sink of
 * tests/lib and prints every event as one tab-separated line. The end-to-end tests
 * compare these lines with tshark's view and with expected findings,
 * without going through the database.
 *
 * usage: wsa-events [-m MAX_MESSAGE] [-p PORT] CAPTURE
 *   F  sender index fin rsv opcode masked payload_len close_code first_pkt last_pkt
 *   M  sender id opcode frames wire_size decoded_size compressed utf8_valid incomplete
 *   X  kind class code sender rule packet frame_index off_sender off_packet off_frame off_rule limit_min limit_max profiles
 *   U  the same fields: the capture-end bounds pass changed an X line
 *   C  id client server websocket handshake verdict ended_by tcp_end
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recorder.h"
#include "analysis.h"

static const char *roles[] = { "client", "server" };
static const char *kinds[] = { "close", "violation", "handshake", "abnormal",
	"capture" };

static void
ev_frame(void *arg, const struct rec_event *e)
{
	const struct ws_frame *f = e->body;

	(void)arg;
	printf("F\t%" PRIu64 "\t%s\t%" PRIu64 "\t%d\t%d\t%d\t%d\t%" PRIu64
	    "\t%d\t%" PRIu64 "\t%" PRIu64 "\n", e->conn, roles[e->sender],
	    f->index, f->fin, f->rsv, f->opcode, f->masked, f->payload_len,
	    f->close_code, f->first_pkt, f->last_pkt);
}

static void
ev_message(void *arg, const struct rec_event *e)
{
	const struct ws_message *m = e->body;

	(void)arg;
	printf("M\t%" PRIu64 "\t%s\t%" PRIu64 "\t%d\t%" PRIu64 "\t%" PRIu64
	    "\t%" PRIu64 "\t%d\t%d\t%d\n", e->conn, roles[e->sender],
	    m->id, m->opcode, m->frames, m->wire_size, m->decoded_size,
	    m->compressed, m->utf8_valid, m->incomplete);
}

/*
 * X: a finding; U: the capture-end bounds pass changed the finding printed
 * before with the same connection and close (same fields).
 */
static void
ev_finding(void *arg, const struct rec_event *e)
{
	const struct finding *f = e->body;

	(void)arg;
	printf("%s\t%" PRIu64 "\t%s\t%s\t%d\t%s\t%s\t%" PRIu64 "\t%" PRId64,
	    e->kind == REC_FINDING_UPDATE ? "U" : "X", f->conn_id, kinds[f->kind], finding_class_names[f->class], f->code,
	    f->sender >= 0 ? roles[f->sender] : "-",
	    f->rule ? rule_name(f->rule) : "-", f->packet, f->frame_index);
	if (f->has_offending)
		printf("\t%s\t%" PRIu64 "\t%" PRId64 "\t%s",
		    roles[f->offending_sender], f->offending_packet,
		    f->offending_frame_index,
		    f->offending_rule ? rule_name(f->offending_rule) : "-");
	else
		printf("\t-\t-\t-\t-");
	if (f->has_limit)
		printf("\t%" PRIu64 "\t%" PRIu64 "\t%s", f->limit_min,
		    f->limit_max, f->matching_profiles);
	else
		printf("\t-\t-\t-");
	printf("\t%" PRId64 "\n", f->limit_from_reason);
}

static void
ev_conn(void *arg, const struct rec_event *e)
{
	const struct conn_summary *c = e->body;

	(void)arg;
	printf("C\t%" PRIu64 "\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", c->id, c->client,
	    c->server, c->websocket, c->handshake_seen, c->verdict,
	    c->ended_by >= 0 ? roles[c->ended_by] : "-", c->tcp_end);
}

static recorder_fn *const ev_watch[REC_KINDS] = {
	[REC_FRAME] = ev_frame,
	[REC_MESSAGE] = ev_message,
	[REC_FINDING] = ev_finding,
	[REC_FINDING_UPDATE] = ev_finding,
	[REC_CONN_END] = ev_conn,
};

int
main(int argc, char **argv)
{
	struct analysis_opts   o;
	struct analysis       *an;
	struct recorder       *rec;
	struct capture_summary sum;
	char                   err[1024];
	uint64_t               v;
	int                    ch;

	analysis_opts_default(&o);
	o.no_hash = 1;
	while ((ch = getopt(argc, argv, "m:p:")) != -1) {
		switch (ch) {
		case 'm':
			if (parse_size(optarg, &v) != 0)
				return 1;
			o.ws.max_message = v;
			break;
		case 'p':
			o.ws_ports[o.n_ws_ports++] = (uint16_t)atoi(optarg);
			break;
		default:
			return 1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: wsa-events [-m MAX] [-p PORT] CAPTURE\n");
		return 1;
	}
	rec = recorder_new(ev_watch, NULL);
	an = analysis_new(&o, &recorder_sink_ops, rec);
	if (analysis_run(an, argv[optind], NULL, NULL, NULL, &sum, err,
	    sizeof err) != PIPELINE_OK) {
		fprintf(stderr, "wsa-events: %s\n", err);
		analysis_free(an);
		recorder_free(rec);
		return 2;
	}
	analysis_free(an);
	recorder_free(rec);
	return 0;
}
