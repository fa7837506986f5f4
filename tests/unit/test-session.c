/*
 * Unit tests of the session and verdict stages: synthetic captures built
 * with capture-writer go through the whole analysis (libpcap, reassembly,
 * handshake, frames, verdicts) into a recording sink.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture-writer.h"
#include "recorder.h"
#include "analysis.h"
#include "conn-history.h"

#define C CW_CLIENT
#define S CW_SERVER

/* What the analysis told the sink. */
static struct recorder *R;

static size_t
nfindings(void)
{
	return recorder_count(R, REC_FINDING);
}

static const struct finding *
finding_at(size_t i)
{
	return recorder_get(R, REC_FINDING, i)->body;
}

/* Test fixture: one capture, one connection, a frame buffer. */
static struct cw      *W;
static struct cw_conn *K;
static struct cw_buf   B;
static struct capture_summary SUM;

static int
setup(void **state)
{
	(void)state;
	R = recorder_new(NULL, NULL);
	W = cw_new();
	K = cw_conn_new(W, 40000, 80);
	memset(&B, 0, sizeof B);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cw_free(W);
	cw_buf_free(&B);
	recorder_free(R);
	return 0;
}

static const char *
kind_name(enum finding_kind k)
{
	static const char *names[] = {
		"close", "violation", "handshake", "abnormal", "capture"
	};

	return names[k];
}

static void
dump(void)
{
	const struct finding      *f;
	const struct conn_summary *c;
	size_t                     i;

	for (i = 0; i < nfindings(); i++) {
		f = finding_at(i);
		print_message("  finding %zu: %s class %s code %d sender %d "
		    "rule %s packet %llu frame %lld off %d/%llu/%lld/%s "
		    "limit %d/%llu/%llu reason-limit %lld profiles '%s' "
		    "detail '%s'\n", i, kind_name(f->kind),
		    finding_class_names[f->class], f->code,
		    f->sender, f->rule ? rule_name(f->rule) : "-",
		    (unsigned long long)f->packet, (long long)f->frame_index,
		    f->has_offending, (unsigned long long)f->offending_packet,
		    (long long)f->offending_frame_index,
		    f->offending_rule ? rule_name(f->offending_rule) : "-",
		    f->has_limit,
		    (unsigned long long)f->limit_min,
		    (unsigned long long)f->limit_max,
		    (long long)f->limit_from_reason, f->matching_profiles,
		    f->detail);
	}
	for (i = 0; i < recorder_count(R, REC_CONN_END); i++) {
		c = recorder_get(R, REC_CONN_END, i)->body;
		print_message("  conn %llu: verdict %s ended_by %d tcp %s\n",
		    (unsigned long long)c->id, c->verdict, c->ended_by,
		    c->tcp_end);
	}
}

static void
run_opts(const struct analysis_opts *o)
{
	struct analysis     *an;
	enum pipeline_result r;
	char                 err[256] = "";

	cw_flush(W);
	an = analysis_new(o, &recorder_sink_ops, R);
	r = analysis_run(an, cw_path(W), NULL, NULL, NULL, &SUM, err,
	    sizeof err);
	analysis_free(an);
	if (r != PIPELINE_OK)
		fail_msg("analysis failed: %s", err);
	if (getenv("TEST_SESSION_DUMP") != NULL)
		dump();
	if (recorder_order_error(R) != NULL)
		fail_msg("sink events out of order: %s",
		    recorder_order_error(R));
}

static void
run(void)
{
	struct analysis_opts o;

	analysis_opts_default(&o);
	run_opts(&o);
}

/* The one finding of this kind, rule and sender (RULE_NONE: plain close). */
static const struct finding *
fnd_conn(uint64_t conn, enum finding_kind kind, enum rule_id rule, int sender)
{
	const struct finding *f, *hit = NULL;
	size_t                i;
	int                   n = 0;

	for (i = 0; i < nfindings(); i++) {
		f = finding_at(i);
		if (f->conn_id == conn && f->kind == kind && f->rule == rule &&
		    f->sender == sender) {
			hit = f;
			n++;
		}
	}
	if (n != 1) {
		dump();
		fail_msg("%d findings %s/%s/%d, expected 1", n,
		    kind_name(kind), rule ? rule_name(rule) : "-", sender);
	}
	return hit;
}

static const struct finding *
fnd(enum finding_kind kind, enum rule_id rule, int sender)
{
	return fnd_conn(1, kind, rule, sender);
}

static int
count(enum finding_kind kind)
{
	size_t i;
	int    n = 0;

	for (i = 0; i < nfindings(); i++)
		n += finding_at(i)->kind == kind;
	return n;
}

static const struct conn_summary *
conn(uint64_t id)
{
	const struct rec_event *e;
	size_t                  i;

	for (i = 0; (e = recorder_get(R, REC_CONN_END, i)) != NULL; i++)
		if (e->conn == id)
			return e->body;
	dump();
	fail_msg("no conn_end for connection %llu", (unsigned long long)id);
	return NULL;
}

static const struct ws_frame *
frame(int sender, uint64_t index)
{
	const struct rec_event *e;
	const struct ws_frame  *f;
	size_t                  i;

	for (i = 0; (e = recorder_get(R, REC_FRAME, i)) != NULL; i++) {
		f = e->body;
		if (e->conn == 1 && e->sender == sender && f->index == index)
			return f;
	}
	fail_msg("no frame %d/%llu", sender, (unsigned long long)index);
	return NULL;
}

static void
assert_offending(const struct finding *f, uint64_t pkt, int64_t index,
    int sender, enum rule_id rule)
{
	if (!f->has_offending || f->offending_packet != pkt ||
	    f->offending_frame_index != index || f->offending_sender != sender ||
	    f->offending_rule != rule) {
		dump();
		fail_msg("offending %d/%llu/%lld/%d/%s, expected %llu/%lld/%d/%s",
		    f->has_offending, (unsigned long long)f->offending_packet,
		    (long long)f->offending_frame_index, f->offending_sender,
		    f->offending_rule ? rule_name(f->offending_rule) : "-",
		    (unsigned long long)pkt, (long long)index, sender,
		    rule ? rule_name(rule) : "-");
	}
}

static void
assert_close(const struct finding *f, const char *class, int code,
    uint64_t pkt, int64_t index, int answered)
{
	assert_string_equal(finding_class_names[f->class], class);
	assert_int_equal(f->code, code);
	assert_int_equal(f->packet, pkt);
	assert_int_equal(f->frame_index, index);
	assert_int_equal(f->answered, answered);
}

/* TCP and WebSocket handshakes: packets 1-3, request 4, response 5. */
static void
open_ws(const char *ext)
{
	assert_int_equal(cw_handshake(K), 3);
	cw_http_request(&B, ext);
	assert_int_equal(cw_send_buf(K, C, &B), 4);
	cw_http_101(&B, 1, ext);
	assert_int_equal(cw_send_buf(K, S, &B), 5);
}

static uint64_t
send_text(int side, const char *s)
{
	cw_ws_simple(&B, 0x1, side == C, s, strlen(s));
	return cw_send_buf(K, side, &B);
}

static uint64_t
send_close(int side, int code, const char *reason)
{
	cw_ws_close(&B, side == C, code, reason);
	return cw_send_buf(K, side, &B);
}

static void
big_frame(struct cw_buf *b, int side, size_t n)
{
	uint8_t *p = xmalloc(n);

	memset(p, 'x', n);
	cw_ws_simple(b, 0x2, side == C, p, n);
	free(p);
}

static uint64_t
send_binary(int side, size_t n)
{
	big_frame(&B, side, n);
	return cw_send_buf(K, side, &B);
}

static void
fin_both(void)
{
	cw_fin(K, C);
	cw_fin(K, S);
}

/* Clean session: data both ways, close 1000 both ways, FIN both ways. */
static void
test_clean(void **state)
{
	const struct finding  *f;
	const struct conn_summary *c;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_text(C, "hello"), 6);
	assert_int_equal(send_text(S, "world"), 7);
	assert_int_equal(send_binary(C, 300), 8);
	/* A frame over three segments. */
	big_frame(&B, S, 70000);
	assert_int_equal(cw_send_split(K, S, B.p, B.len, 30000), 9);
	cw_buf_reset(&B);
	assert_int_equal(send_close(C, 1000, "bye"), 12);
	assert_int_equal(send_close(S, 1000, ""), 13);
	fin_both();
	run();

	assert_int_equal(nfindings(), 2);
	assert_int_equal(count(FINDING_CLOSE), 2);
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_CLIENT);
	assert_close(f, "normal", 1000, 12, 2, 0);
	assert_int_equal(f->reason_len, 3);
	assert_string_equal(f->reason, "bye");
	assert_false(f->has_offending);
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_close(f, "normal", 1000, 13, 2, 1);
	/* Closes are reported in the order they were sent. */
	assert_int_equal(finding_at(0)->sender, ROLE_CLIENT);
	c = conn(1);
	assert_true(c->websocket);
	assert_true(c->handshake_seen);
	assert_false(c->midstream);
	assert_string_equal(c->client, "10.0.0.1:40000");
	assert_string_equal(c->server, "10.0.0.2:80");
	assert_string_equal(c->extensions_state, "none");
	assert_int_equal(c->frames[ROLE_CLIENT], 3);
	assert_int_equal(c->frames[ROLE_SERVER], 3);
	assert_int_equal(c->close_code[ROLE_CLIENT], 1000);
	assert_int_equal(c->close_code[ROLE_SERVER], 1000);
	assert_string_equal(c->verdict, "normal");
	assert_string_equal(c->tcp_end, "fin");
	assert_int_equal(c->ended_by, ROLE_CLIENT);
	assert_int_equal(frame(S, 1)->payload_len, 70000);
	assert_int_equal(frame(S, 1)->first_pkt, 9);
}

/* 1002 after an unmasked client frame: that frame is the offender. */
static void
test_1002_unmasked(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_text(C, "ok"), 6);
	cw_ws_simple(&B, 0x1, 0, "bad", 3);
	assert_int_equal(cw_send_buf(K, C, &B), 7);
	assert_int_equal(send_close(S, 1002, "protocol error"), 8);
	assert_int_equal(send_close(C, 1000, ""), 9);
	fin_both();
	run();

	assert_int_equal(count(FINDING_VIOLATION), 1);
	f = fnd(FINDING_VIOLATION, RULE_UNMASKED_CLIENT, ROLE_CLIENT);
	assert_string_equal(finding_class_names[f->class], "1002");
	assert_int_equal(f->code, 1002);
	assert_int_equal(f->packet, 7);
	assert_int_equal(f->frame_index, 1);
	/* The server failed the connection on it. */
	assert_int_equal(f->tolerance, TOL_FAILED);
	assert_null(strstr(f->explanation, "tolerat"));
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_close(f, "1002", 1002, 8, 0, 0);
	assert_offending(f, 7, 1, ROLE_CLIENT, RULE_UNMASKED_CLIENT);
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_CLIENT);
	assert_close(f, "normal", 1000, 9, 2, 1);
	assert_false(f->has_offending);
	assert_int_equal(count(FINDING_ABNORMAL), 0);
	assert_string_equal(conn(1)->verdict, "1002");
	assert_int_equal(conn(1)->ended_by, ROLE_SERVER);
}

/*
 * What the receiver did after a violation: carried on (a frame), failed
 * the connection (a FIN with no close), or nothing the capture shows.
 */
static void
unmasked_then(int how)
{
	cw_ws_simple(&B, 0x1, 0, "bad", 3);
	assert_int_equal(cw_send_buf(K, C, &B), 6);
	if (how == 0)
		send_text(S, "bad");
	else if (how == 1)
		cw_fin(K, S);
}

static void
test_tolerated(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	unmasked_then(0);
	assert_int_equal(send_close(C, 1000, ""), 8);
	assert_int_equal(send_close(S, 1000, ""), 9);
	fin_both();
	run();
	f = fnd(FINDING_VIOLATION, RULE_UNMASKED_CLIENT, ROLE_CLIENT);
	assert_int_equal(f->tolerance, TOL_CARRIED_ON);
	assert_non_null(strstr(f->explanation, "; tolerated by the server: a "
	    "stricter stack closes 1002 here"));
	assert_non_null(strstr(conn(1)->stack_evidence[ROLE_SERVER],
	    "tolerated the peer's unmasked-client-frame"));
	assert_string_equal(conn(1)->verdict, "normal");
}

static void
test_tolerance_fin(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	unmasked_then(1);
	cw_fin(K, C);
	run();
	f = fnd(FINDING_VIOLATION, RULE_UNMASKED_CLIENT, ROLE_CLIENT);
	assert_int_equal(f->tolerance, TOL_FAILED);
	assert_null(strstr(conn(1)->stack_evidence[ROLE_SERVER], "tolerated"));
}

static void
test_tolerance_unknown(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	unmasked_then(2);
	run();
	f = fnd(FINDING_VIOLATION, RULE_UNMASKED_CLIENT, ROLE_CLIENT);
	assert_int_equal(f->tolerance, TOL_UNKNOWN);
	assert_non_null(strstr(f->explanation, "whether the server tolerated "
	    "it is not known"));
}

/*
 * A flood of violations while the peer is silent: HIST_PENDING wait for
 * its reaction, the rest leave at once, undecided.
 */
static void
test_tolerance_bounded(void **state)
{
	const struct finding *f;
	size_t                i, carried = 0, unknown = 0;
	int                   k;

	(void)state;
	open_ws(NULL);
	for (k = 0; k < HIST_PENDING + 3; k++) {
		cw_ws_simple(&B, 0x1, 0, "bad", 3);
		cw_send_buf(K, C, &B);
	}
	send_text(S, "ok");
	send_close(C, 1000, "");
	send_close(S, 1000, "");
	fin_both();
	run();
	for (i = 0; i < nfindings(); i++) {
		f = finding_at(i);
		if (f->kind != FINDING_VIOLATION)
			continue;
		carried += f->tolerance == TOL_CARRIED_ON;
		unknown += f->tolerance == TOL_UNKNOWN;
	}
	assert_int_equal(carried, HIST_PENDING);
	assert_int_equal(unknown, 3);
}

/*
 * Violations the peer carried on after, held when more come: the oldest of
 * them leaves to make room, carried on; those after the peer's frame, and
 * all at the end of a capture with no close, are undecided.
 */
static void
test_tolerance_carried_full(void **state)
{
	const struct finding *f;
	size_t                i, carried = 0, unknown = 0;
	int                   k;

	(void)state;
	open_ws(NULL);
	for (k = 0; k < 2; k++) {
		cw_ws_simple(&B, 0x1, 0, "bad", 3);
		cw_send_buf(K, C, &B);
	}
	send_text(S, "ok");
	for (k = 0; k < HIST_PENDING + 1; k++) {
		cw_ws_simple(&B, 0x1, 0, "bad", 3);
		cw_send_buf(K, C, &B);
	}
	run();
	for (i = 0; i < nfindings(); i++) {
		f = finding_at(i);
		if (f->kind != FINDING_VIOLATION)
			continue;
		/* The two before the peer's frame leave first. */
		if (carried + unknown < 2)
			assert_int_equal(f->tolerance, TOL_CARRIED_ON);
		carried += f->tolerance == TOL_CARRIED_ON;
		unknown += f->tolerance == TOL_UNKNOWN;
	}
	assert_int_equal(carried, 2);
	assert_int_equal(unknown, HIST_PENDING + 1);
}

/* A ping answered by a pong with its payload, one left waiting. */
static void
test_pings(void **state)
{
	const struct conn_summary *c;

	(void)state;
	open_ws(NULL);
	cw_ws_simple(&B, 0x9, 1, "p1", 2);
	cw_send_buf(K, C, &B);
	cw_ws_simple(&B, 0xa, 0, "p1", 2);
	cw_send_buf(K, S, &B);
	cw_ws_simple(&B, 0x9, 1, "p2", 2);
	cw_send_buf(K, C, &B);
	cw_ws_simple(&B, 0xa, 0, "zz", 2);
	cw_send_buf(K, S, &B);
	send_close(C, 1000, "");
	send_close(S, 1000, "");
	fin_both();
	run();
	c = conn(1);
	assert_int_equal(c->pings[ROLE_CLIENT], 2);
	assert_int_equal(c->ping_answers[ROLE_CLIENT], 1);
	/* p2 waited less than PING_WAIT_NS: pending, not unanswered. */
	assert_int_equal(c->pings_unanswered[ROLE_CLIENT], 0);
	assert_int_equal(c->pings[ROLE_SERVER], 0);
	assert_true(c->ping_rtt_min[ROLE_CLIENT] >= 0);
	assert_int_equal(count(FINDING_ABNORMAL), 0);
}

/* The valid neighbour: a 1002 with nothing wrong in sight. */
static void
test_1002_no_violation(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_text(C, "first"), 6);
	assert_int_equal(send_text(C, "second"), 7);
	assert_int_equal(send_close(S, 1002, ""), 8);
	assert_int_equal(send_close(C, 1002, ""), 9);
	fin_both();
	run();

	assert_int_equal(count(FINDING_VIOLATION), 0);
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_close(f, "1002", 1002, 8, 0, 0);
	assert_offending(f, 7, 1, ROLE_CLIENT, RULE_NONE);
	assert_non_null(strstr(f->detail, "no violation visible"));
	assert_non_null(strstr(f->detail, "candidate"));
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_CLIENT);
	assert_close(f, "1002", 1002, 9, 2, 1);
	assert_string_equal(conn(1)->verdict, "1002");
}

/*
 * One frame rule through the whole pipeline: the violator's frames go in
 * one segment (packet 6), the peer closes with the rule's code (packet 7).
 */
struct rule_case {
	enum rule_id rule;
	int         violator;
	int         code;
	int64_t     frame;      /* index of the offending frame */
	void      (*build)(struct cw_buf *);
};

static void
build_reserved(struct cw_buf *b)
{
	cw_ws_frame(b, 1, 0, 0x3, 1, CW_LEN_AUTO, "x", 1, UINT64_MAX);
}

static void
build_rsv2(struct cw_buf *b)
{
	cw_ws_frame(b, 1, 2, 0x1, 1, CW_LEN_AUTO, "x", 1, UINT64_MAX);
}

static void
build_control_long(struct cw_buf *b)
{
	char p[126];

	memset(p, 'p', sizeof p);
	cw_ws_simple(b, 0x9, 1, p, sizeof p);
}

static void
build_fragmented_control(struct cw_buf *b)
{
	cw_ws_frame(b, 0, 0, 0x9, 1, CW_LEN_AUTO, "ping", 4, UINT64_MAX);
}

static void
build_unexpected_cont(struct cw_buf *b)
{
	cw_ws_simple(b, 0x1, 1, "ok", 2);
	cw_ws_frame(b, 1, 0, 0x0, 1, CW_LEN_AUTO, "x", 1, UINT64_MAX);
}

static void
build_data_during_frag(struct cw_buf *b)
{
	cw_ws_frame(b, 0, 0, 0x1, 1, CW_LEN_AUTO, "a", 1, UINT64_MAX);
	cw_ws_simple(b, 0x1, 1, "b", 1);
}

static void
build_utf8(struct cw_buf *b)
{
	cw_ws_simple(b, 0x1, 1, "ab\xc3\x28", 4);
}

static void
build_masked_server(struct cw_buf *b)
{
	cw_ws_simple(b, 0x1, 1, "hi", 2);
}

static void
build_length_msb(struct cw_buf *b)
{
	cw_ws_frame(b, 1, 0, 0x2, 1, CW_LEN_64, "x", 1,
	    UINT64_C(0x8000000000000001));
}

static const struct rule_case rule_cases[] = {
	{ RULE_RESERVED_OPCODE, C, 1002, 0, build_reserved },
	{ RULE_RSV_WITHOUT_EXT, C, 1002, 0, build_rsv2 },
	{ RULE_CONTROL_TOO_LONG, C, 1002, 0, build_control_long },
	{ RULE_FRAGMENTED_CONTROL, C, 1002, 0, build_fragmented_control },
	{ RULE_UNEXPECTED_CONT, C, 1002, 1, build_unexpected_cont },
	{ RULE_DATA_DURING_FRAG, C, 1002, 1,
	  build_data_during_frag },
	{ RULE_INVALID_UTF8_TEXT, C, 1007, 0, build_utf8 },
	{ RULE_MASKED_SERVER, S, 1002, 0, build_masked_server },
	{ RULE_LENGTH_MSB, C, 1002, 0, build_length_msb },
};

static void
test_frame_rules(void **state)
{
	const struct rule_case *rc;
	const struct finding   *f;
	size_t                  i;
	char                    cls[8];

	for (i = 0; i < sizeof rule_cases / sizeof rule_cases[0]; i++) {
		rc = &rule_cases[i];
		print_message("  rule %s\n", rule_name(rc->rule));
		teardown(state);
		setup(state);
		open_ws(NULL);
		rc->build(&B);
		assert_int_equal(cw_send_buf(K, rc->violator, &B), 6);
		assert_int_equal(send_close(!rc->violator, rc->code, ""), 7);
		cw_rst(K, !rc->violator);
		run();

		snprintf(cls, sizeof cls, "%d", rc->code);
		assert_int_equal(count(FINDING_VIOLATION), 1);
		f = fnd(FINDING_VIOLATION, rc->rule, rc->violator);
		assert_string_equal(finding_class_names[f->class], cls);
		assert_int_equal(f->code, rc->code);
		assert_int_equal(f->packet, 6);
		assert_int_equal(f->frame_index, rc->frame);
		f = fnd(FINDING_CLOSE, RULE_NONE, !rc->violator);
		assert_close(f, cls, rc->code, 7, 0, 0);
		assert_offending(f, 6, rc->frame, rc->violator, rc->rule);
		assert_string_equal(conn(1)->verdict, cls);
		assert_int_equal(conn(1)->ended_by, !rc->violator);
	}
}

/*
 * Close-frame rules: the violating close is a close itself, so the
 * peer's 1002 answers it. The violation is found either way.
 */
struct close_case {
	enum rule_id rule;
	int         code;     /* -2: a 1-byte payload */
	const char *reason;
	int         peer_code;
};

static const struct close_case close_cases[] = {
	{ RULE_CLOSE_ONE_BYTE, -2, NULL, 1002 },
	{ RULE_INVALID_CLOSE_CODE, 1005, NULL, 1002 },
	{ RULE_INVALID_CLOSE_CODE, 999, NULL, 1002 },
	{ RULE_INVALID_CLOSE_CODE, 2999, NULL, 1002 },
	{ RULE_INVALID_CLOSE_CODE, 5000, NULL, 1002 },
	{ RULE_INVALID_UTF8_REASON, 1000, "bad \xff", 1007 },
};

static void
build_close_case(const struct close_case *cc)
{
	if (cc->code == -2)
		cw_ws_simple(&B, 0x8, 1, "\x03", 1);
	else
		cw_ws_close(&B, 1, cc->code, cc->reason);
	assert_int_equal(cw_send_buf(K, C, &B), 6);
	assert_int_equal(send_close(S, cc->peer_code, ""), 7);
	fin_both();
}

static void
test_close_rules(void **state)
{
	const struct close_case *cc;
	const struct finding    *f;
	size_t                   i;
	char                     cls[8];

	for (i = 0; i < sizeof close_cases / sizeof close_cases[0]; i++) {
		cc = &close_cases[i];
		print_message("  rule %s code %d\n", rule_name(cc->rule),
		    cc->code);
		teardown(state);
		setup(state);
		open_ws(NULL);
		build_close_case(cc);
		run();

		snprintf(cls, sizeof cls, "%d", cc->peer_code);
		assert_int_equal(count(FINDING_VIOLATION), 1);
		f = fnd(FINDING_VIOLATION, cc->rule, ROLE_CLIENT);
		assert_string_equal(finding_class_names[f->class], cls);
		assert_int_equal(f->packet, 6);
		assert_int_equal(f->frame_index, 0);
		f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
		assert_int_equal(f->code, cc->peer_code);
		assert_string_equal(finding_class_names[f->class], cls);
		assert_int_equal(f->packet, 7);
		assert_true(f->answered);
		assert_int_equal(conn(1)->ended_by, ROLE_CLIENT);
	}
}

/*
 * A 1002 that answers a malformed close still says which frame provoked
 * it, and the connection's verdict is 1002, not normal.
 */
static void
test_close_rules_attributed(void **state)
{
	const struct finding *f;

	open_ws(NULL);
	build_close_case(&close_cases[1]);
	run();
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_offending(f, 6, 0, ROLE_CLIENT, RULE_INVALID_CLOSE_CODE);
	assert_string_equal(conn(1)->verdict, "1002");
	(void)state;
}

/*
 * A non-minimal length is reported only with --strict, but a 1002 after it
 * (Netty's answer) is still tied to that frame.
 */
static void
test_1002_non_minimal_quiet(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_text(C, "ok"), 6);
	cw_ws_frame(&B, 1, 0, 0x1, 1, CW_LEN_16, "abc", 3, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, C, &B), 7);
	assert_int_equal(send_close(S, 1002, ""), 8);
	assert_int_equal(send_close(C, 1002, ""), 9);
	fin_both();
	run();

	assert_int_equal(count(FINDING_VIOLATION), 0);
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_close(f, "1002", 1002, 8, 0, 0);
	assert_offending(f, 7, 1, ROLE_CLIENT, RULE_NON_MINIMAL_LENGTH);
}

/*
 * A close frame with a 258-byte payload in the 64-bit length form breaks
 * control-frame-too-long (reported) and non-minimal-length (reported only
 * with --strict): a 1002 answer, or the server dropping the connection,
 * is the reported rule's, with and without --strict.
 */
static void
strict_only_not_cause(int strict)
{
	const struct finding *f;
	uint8_t               pl[258];
	struct analysis_opts  o;
	int                   drop;

	memset(pl, 'x', sizeof pl);
	pl[0] = 0x03;
	pl[1] = 0xe8;
	for (drop = 0; drop < 2; drop++) {
		if (drop)
			teardown(NULL), setup(NULL);
		open_ws(NULL);
		assert_int_equal(send_text(C, "ok"), 6);
		cw_ws_frame(&B, 1, 0, 0x8, 1, CW_LEN_64, pl, sizeof pl,
		    UINT64_MAX);
		assert_int_equal(cw_send_buf(K, C, &B), 7);
		if (!drop)
			assert_int_equal(send_close(S, 1002, ""), 8);
		fin_both();
		analysis_opts_default(&o);
		o.ws.strict = strict;
		run_opts(&o);
		f = drop ? fnd(FINDING_ABNORMAL, RULE_CLOSE_UNANSWERED, ROLE_SERVER) :
		    fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
		assert_offending(f, 7, 1, ROLE_CLIENT, RULE_CONTROL_TOO_LONG);
		assert_null(strstr(f->detail, "non-minimal"));
	}
}

static void
test_1002_strict_only_not_cause(void **state)
{
	(void)state;
	strict_only_not_cause(0);
}

static void
test_1002_strict_only_not_cause_strict(void **state)
{
	(void)state;
	strict_only_not_cause(1);
}

/*
 * A close frame with no code is a fact of its own, not the absence of a
 * close: its code reads 1005, what the receiver reports (RFC 6455 7.1.5);
 * a side that sent no close frame reads -1.
 */
static void
test_close_without_code(void **state)
{
	const struct finding      *f;
	const struct conn_summary *c;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_text(C, "hi"), 6);
	cw_ws_simple(&B, 0x8, 1, NULL, 0);
	assert_int_equal(cw_send_buf(K, C, &B), 7);
	cw_ws_simple(&B, 0x8, 0, NULL, 0);
	assert_int_equal(cw_send_buf(K, S, &B), 8);
	fin_both();
	run();
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_CLIENT);
	assert_close(f, "normal", WS_CLOSE_NO_CODE, 7, 1, 0);
	assert_non_null(strstr(f->explanation, "with no code"));
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_close(f, "normal", WS_CLOSE_NO_CODE, 8, 0, 1);
	c = conn(1);
	assert_int_equal(c->close_code[ROLE_CLIENT], WS_CLOSE_NO_CODE);
	assert_int_equal(c->close_code[ROLE_SERVER], WS_CLOSE_NO_CODE);

	/* No close frame at all. */
	teardown(NULL), setup(NULL);
	open_ws(NULL);
	assert_int_equal(send_text(C, "hi"), 6);
	fin_both();
	run();
	c = conn(1);
	assert_int_equal(c->close_code[ROLE_CLIENT], -1);
	assert_int_equal(c->close_code[ROLE_SERVER], -1);
}

/* frame-after-close: data after the sender's own close. */
static void
test_frame_after_close(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_close(C, 1000, ""), 6);
	assert_int_equal(send_text(C, "late"), 7);
	assert_int_equal(send_close(S, 1000, ""), 8);
	fin_both();
	run();

	assert_int_equal(count(FINDING_VIOLATION), 1);
	f = fnd(FINDING_VIOLATION, RULE_FRAME_AFTER_CLOSE, ROLE_CLIENT);
	assert_string_equal(finding_class_names[f->class], "1002");
	assert_int_equal(f->packet, 7);
	assert_int_equal(f->frame_index, 1);
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_close(f, "normal", 1000, 8, 0, 1);
}

/* Valid neighbours of the frame rules: nothing is reported. */
static void
test_valid_neighbours(void **state)
{
	char     p[125];
	uint8_t  z[64];
	size_t   zn;

	(void)state;
	open_ws("permessage-deflate");
	memset(p, 'p', sizeof p);
	cw_ws_simple(&B, 0x9, 1, p, sizeof p);             /* ping of 125 */
	cw_ws_frame(&B, 0, 0, 0x1, 1, CW_LEN_AUTO, "ab", 2, UINT64_MAX);
	cw_ws_simple(&B, 0xa, 1, "", 0);                   /* pong between */
	cw_ws_frame(&B, 1, 0, 0x0, 1, CW_LEN_AUTO, "\xc3\xa9", 2,
	    UINT64_MAX);                   /* a character after a pong */
	zn = cw_deflate("compressed", 10, z, sizeof z);
	cw_ws_frame(&B, 1, 4, 0x1, 1, CW_LEN_AUTO, z, zn, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, C, &B), 6);
	zn = cw_deflate("back", 4, z, sizeof z);
	cw_ws_frame(&B, 1, 4, 0x2, 0, CW_LEN_AUTO, z, zn, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, S, &B), 7);
	assert_int_equal(send_close(C, 3000, "app"), 8);
	assert_int_equal(send_close(S, 4999, ""), 9);
	fin_both();
	run();

	assert_int_equal(count(FINDING_VIOLATION), 0);
	assert_int_equal(count(FINDING_ABNORMAL), 0);
	assert_int_equal(nfindings(), 2);
	assert_string_equal(finding_class_names[fnd(FINDING_CLOSE, RULE_NONE,
	    ROLE_CLIENT)->class], "application");
	assert_string_equal(conn(1)->extensions_state, "permessage-deflate");
	assert_string_equal(conn(1)->verdict, "application");
	assert_int_equal(conn(1)->frames[ROLE_CLIENT], 6);
}

/* 1009 after 100, 1000 then 5000 bytes: limit in [1000, 4999]. */
static void
test_1009_limit(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_binary(C, 100), 6);
	assert_int_equal(send_binary(C, 1000), 7);
	assert_int_equal(send_binary(C, 5000), 8);
	assert_int_equal(send_close(S, 1009, "too big"), 9);
	assert_int_equal(send_close(C, 1000, ""), 10);
	fin_both();
	run();

	assert_int_equal(count(FINDING_VIOLATION), 0);
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_close(f, "1009", 1009, 9, 0, 0);
	assert_offending(f, 8, 2, ROLE_CLIENT, RULE_MESSAGE_TOO_BIG);
	assert_true(f->has_limit);
	assert_int_equal(f->limit_min, 1000);
	assert_int_equal(f->limit_max, 4999);
	assert_int_equal(f->limit_from_reason, -1);
	assert_string_equal(f->matching_profiles, "");
	assert_string_equal(conn(1)->verdict, "1009");
	assert_int_equal(conn(1)->ended_by, ROLE_SERVER);
}

/* 3000 accepted, 40000 refused: the profiles with a default inside. */
static void
test_1009_profiles(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_binary(C, 3000), 6);
	assert_int_equal(send_binary(C, 40000), 7);
	assert_int_equal(send_close(S, 1009, ""), 8);
	cw_fin(K, S);
	cw_fin(K, C);
	run();

	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_offending(f, 7, 1, ROLE_CLIENT, RULE_MESSAGE_TOO_BIG);
	assert_int_equal(f->limit_min, 3000);
	assert_int_equal(f->limit_max, 39999);
	assert_non_null(strstr(f->matching_profiles, "coder-websocket"));
	assert_non_null(strstr(f->matching_profiles, "tomcat"));
	assert_null(strstr(f->matching_profiles, "python-websockets"));
	assert_null(strstr(f->matching_profiles, "netty"));
	/* The client never answered: close-unanswered at its FIN. */
	f = fnd(FINDING_ABNORMAL, RULE_CLOSE_UNANSWERED, ROLE_CLIENT);
	assert_int_equal(f->packet, 10);
	assert_string_equal(conn(1)->verdict, "1009");
}

/* The limit stated in a python-websockets close reason. */
static void
test_1009_reason(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	send_binary(C, 1000);
	assert_int_equal(send_binary(C, 5000), 7);
	send_close(S, 1009, "over size limit (5000 > 4096 bytes)");
	send_close(C, 1009, "");
	fin_both();
	run();

	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_offending(f, 7, 1, ROLE_CLIENT, RULE_MESSAGE_TOO_BIG);
	assert_int_equal(f->limit_from_reason, 4096);
	assert_int_equal(f->limit_min, 1000);
	assert_int_equal(f->limit_max, 4999);
	assert_string_equal(f->reason, "over size limit (5000 > 4096 bytes)");
}

/* Other close-reason wordings that state a limit. */
static void
test_1009_reason_wordings(void **state)
{
	static const struct {
		const char *reason;
		int64_t     limit;
	} cases[] = {
		{ "frame with 5000 bytes exceeds limit of 4096 bytes", 4096 },
		{ "Max frame length of 4000 has been exceeded.", 4000 },
		{ "read limited at 4097 bytes", 4096 },
		{ "Text message too large: (actual) 5000 > (configured max "
		  "text message size) 4,000", 4000 },
		{ "message too big", -1 },
	};
	const struct finding *f;
	size_t                i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		teardown(state);
		setup(state);
		open_ws(NULL);
		send_binary(C, 1000);
		send_binary(C, 5000);
		send_close(S, 1009, cases[i].reason);
		fin_both();
		run();
		f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
		assert_int_equal(f->limit_from_reason, cases[i].limit);
	}
}

/* 1009 crossed by a continuation frame: that frame is the offender. */
static void
test_1009_continuation(void **state)
{
	static uint8_t p[2500];
	const struct finding *f;

	(void)state;
	memset(p, 'c', sizeof p);
	open_ws(NULL);
	assert_int_equal(send_binary(C, 2000), 6);
	cw_ws_frame(&B, 0, 0, 0x2, 1, CW_LEN_AUTO, p, 1000, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, C, &B), 7);
	cw_ws_frame(&B, 1, 0, 0x0, 1, CW_LEN_AUTO, p, 1500, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, C, &B), 8);
	assert_int_equal(send_close(S, 1009, ""), 9);
	fin_both();
	run();

	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_offending(f, 8, 2, ROLE_CLIENT, RULE_MESSAGE_TOO_BIG);
	assert_int_equal(f->limit_min, 2000);
	assert_int_equal(f->limit_max, 2499);
}

/*
 * A frame limit (Netty, Jetty): a 900-byte message in three 300-byte
 * frames is taken, then one 700-byte frame is refused. The offender is
 * that frame, not the last fragment of the larger message taken before.
 */
static void
test_1009_frame_limit(void **state)
{
	static uint8_t p[700];
	const struct finding *f;

	(void)state;
	memset(p, 'f', sizeof p);
	open_ws(NULL);
	cw_ws_frame(&B, 0, 0, 0x2, 1, CW_LEN_AUTO, p, 300, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, C, &B), 6);
	cw_ws_frame(&B, 0, 0, 0x0, 1, CW_LEN_AUTO, p, 300, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, C, &B), 7);
	cw_ws_frame(&B, 1, 0, 0x0, 1, CW_LEN_AUTO, p, 300, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, C, &B), 8);
	assert_int_equal(send_binary(C, 700), 9);
	assert_int_equal(send_close(S, 1009,
	    "Max frame length of 512 has been exceeded."), 10);
	fin_both();
	run();

	assert_int_equal(count(FINDING_VIOLATION), 0);
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_offending(f, 9, 3, ROLE_CLIENT, RULE_MESSAGE_TOO_BIG);
	assert_int_equal(f->limit_min, 300);
	assert_int_equal(f->limit_max, 699);
	assert_int_equal(f->limit_from_reason, 512);
	assert_int_equal(f->remedy_limit, 512);
	assert_non_null(strstr(f->detail, "512 bytes, which fits"));
}

/* A stated limit below what the closer was seen to take is not believed. */
static void
test_1009_reason_contradicted(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	send_binary(C, 3000);
	assert_int_equal(send_binary(C, 5000), 7);
	send_close(S, 1009, "frame with 5000 bytes exceeds limit of 100 bytes");
	fin_both();
	run();

	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_offending(f, 7, 1, ROLE_CLIENT, RULE_MESSAGE_TOO_BIG);
	assert_int_equal(f->limit_from_reason, 100);
	assert_int_equal(f->limit_min, 3000);
	assert_int_equal(f->limit_max, 4999);
	/* The remedy falls back on what the server was seen to take. */
	assert_int_equal(f->remedy_limit, 3000);
	assert_int_equal(f->remedy_source, LIMIT_SRC_TAKEN);
	assert_non_null(strstr(f->remedy, "keep messages to 3000 bytes"));
	assert_non_null(strstr(f->detail, "100 bytes, which the capture "
	    "contradicts"));
}

/* The same with a ping between the fragments (RFC 6455 5.4 allows it). */
static void
test_1009_continuation_ping(void **state)
{
	static uint8_t p[2500];
	const struct finding *f;

	(void)state;
	memset(p, 'c', sizeof p);
	open_ws(NULL);
	send_binary(C, 2000);
	cw_ws_frame(&B, 0, 0, 0x2, 1, CW_LEN_AUTO, p, 1000, UINT64_MAX);
	cw_ws_simple(&B, 0x9, 1, "ping", 4);
	assert_int_equal(cw_send_buf(K, C, &B), 7);
	cw_ws_frame(&B, 1, 0, 0x0, 1, CW_LEN_AUTO, p, 1500, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, C, &B), 8);
	send_close(S, 1009, "");
	fin_both();
	run();

	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_offending(f, 8, 3, ROLE_CLIENT, RULE_MESSAGE_TOO_BIG);
	assert_true(f->has_limit);
	assert_int_equal(f->limit_min, 2000);
	assert_int_equal(f->limit_max, 2499);
}

/* Small on the wire, large after inflation: the decoded size counts. */
static void
test_1009_inflated(void **state)
{
	static uint8_t big[20000], z[4096];
	const struct finding *f;
	size_t                zn;

	(void)state;
	memset(big, 'a', sizeof big);
	open_ws("permessage-deflate");
	zn = cw_deflate(big, 100, z, sizeof z);
	cw_ws_frame(&B, 1, 4, 0x1, 1, CW_LEN_AUTO, z, zn, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, C, &B), 6);
	zn = cw_deflate(big, sizeof big, z, sizeof z);
	assert_true(zn < 200);
	cw_ws_frame(&B, 1, 4, 0x1, 1, CW_LEN_AUTO, z, zn, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, C, &B), 7);
	assert_int_equal(send_close(S, 1009, ""), 8);
	fin_both();
	run();

	assert_int_equal(count(FINDING_VIOLATION), 0);
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_offending(f, 7, 1, ROLE_CLIENT, RULE_MESSAGE_TOO_BIG);
	assert_int_equal(f->limit_min, 100);
	assert_int_equal(f->limit_max, 19999);
}

/*
 * The client keeps sending after the frame that crossed the limit: the
 * 1009 still names the large frame, not the last one received.
 */
static void
test_1009_pipelined(void **state)
{
	const struct finding *f;

	open_ws(NULL);
	send_binary(C, 100);
	assert_int_equal(send_binary(C, 5000), 7);
	assert_int_equal(send_binary(C, 10), 8);
	send_close(S, 1009, "");
	fin_both();
	run();
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_offending(f, 7, 1, ROLE_CLIENT, RULE_MESSAGE_TOO_BIG);
	assert_true(f->has_limit);
	assert_int_equal(f->limit_min, 100);
	assert_int_equal(f->limit_max, 4999);
	(void)state;
}

static void
open_ws_on(struct cw_conn *k)
{
	cw_handshake(k);
	cw_http_request(&B, NULL);
	cw_send_buf(k, C, &B);
	cw_http_101(&B, 1, NULL);
	cw_send_buf(k, S, &B);
}

/*
 * The limit's lower bound counts what the same server accepted on other
 * connections of the capture. interleaved: the connection that took the
 * large message is still open when the other one is refused.
 */
static void
other_connection(int interleaved)
{
	const struct finding *f;
	struct cw_conn       *k1 = K, *k2 = cw_conn_new(W, 40001, 80);

	open_ws_on(k1);
	K = k1;
	send_binary(C, 3000);
	if (!interleaved) {
		send_close(C, 1000, "");
		send_close(S, 1000, "");
		fin_both();
	}
	open_ws_on(k2);
	K = k2;
	send_binary(C, 100);
	send_binary(C, 5000);
	send_close(S, 1009, "");
	fin_both();
	if (interleaved) {
		K = k1;
		send_close(C, 1000, "");
		send_close(S, 1000, "");
		fin_both();
	}
	run();
	f = fnd_conn(2, FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_true(f->has_limit);
	assert_int_equal(f->limit_min, 3000);
	assert_int_equal(f->limit_max, 4999);
}

static void
test_1009_other_connection(void **state)
{
	(void)state;
	other_connection(0);
}

static void
test_1009_other_connection_open(void **state)
{
	(void)state;
	other_connection(1);
}

/* The server resets after a client frame, no close frame. */
static void
test_abrupt_reset(void **state)
{
	const struct finding  *f;
	const struct conn_summary *c;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_text(S, "hi"), 6);
	assert_int_equal(send_text(C, "x"), 7);
	assert_int_equal(cw_rst(K, S), 8);
	run();

	assert_int_equal(nfindings(), 1);
	f = fnd(FINDING_ABNORMAL, RULE_ABRUPT_RESET, ROLE_SERVER);
	assert_string_equal(finding_class_names[f->class], "1006");
	assert_int_equal(f->code, 1006);
	assert_int_equal(f->packet, 8);
	assert_int_equal(f->frame_index, -1);
	assert_offending(f, 7, 0, ROLE_CLIENT, RULE_NONE);
	c = conn(1);
	assert_string_equal(c->verdict, "1006");
	assert_string_equal(c->tcp_end, "rst");
	assert_int_equal(c->ended_by, ROLE_SERVER);
}

/* A FIN from the server with no close frame, then the client's FIN. */
static void
test_abrupt_fin(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_text(C, "x"), 6);
	assert_int_equal(send_text(C, "y"), 7);
	assert_int_equal(cw_fin(K, S), 8);
	assert_int_equal(cw_fin(K, C), 9);
	run();

	assert_int_equal(nfindings(), 2);
	f = fnd(FINDING_ABNORMAL, RULE_ABRUPT_FIN, ROLE_SERVER);
	assert_int_equal(f->packet, 8);
	assert_offending(f, 7, 1, ROLE_CLIENT, RULE_NONE);
	f = fnd(FINDING_ABNORMAL, RULE_ABRUPT_FIN, ROLE_CLIENT);
	assert_int_equal(f->packet, 9);
	assert_false(f->has_offending);
	assert_string_equal(conn(1)->verdict, "1006");
	assert_int_equal(conn(1)->ended_by, ROLE_SERVER);
}

/* The server's close is never answered. */
static void
test_close_unanswered(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_text(C, "x"), 6);
	assert_int_equal(send_close(S, 1001, "going away"), 7);
	assert_int_equal(cw_fin(K, S), 8);
	assert_int_equal(cw_fin(K, C), 9);
	run();

	assert_int_equal(nfindings(), 2);
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_close(f, "normal", 1001, 7, 0, 0);
	f = fnd(FINDING_ABNORMAL, RULE_CLOSE_UNANSWERED, ROLE_CLIENT);
	assert_string_equal(finding_class_names[f->class], "1006");
	assert_int_equal(f->packet, 9);
	assert_offending(f, 7, 0, ROLE_SERVER, RULE_NONE);
	assert_string_equal(conn(1)->verdict, "1006");
	assert_int_equal(conn(1)->ended_by, ROLE_SERVER);
}

/* The capture ends with the connection open: a state, not a finding. */
static void
test_open_at_end(void **state)
{
	(void)state;
	open_ws(NULL);
	send_text(C, "x");
	send_text(S, "y");
	cw_ack(K, C);
	run();

	assert_int_equal(nfindings(), 0);
	assert_string_equal(conn(1)->verdict, "open");
	assert_string_equal(conn(1)->tcp_end, "open");
	assert_int_equal(conn(1)->ended_by, -1);
	assert_int_equal(conn(1)->frames[ROLE_CLIENT], 1);
}

static void
test_bad_accept(void **state)
{
	const struct finding *f;

	(void)state;
	cw_handshake(K);
	cw_http_request(&B, NULL);
	assert_int_equal(cw_send_buf(K, C, &B), 4);
	cw_http_101(&B, 0, NULL);
	assert_int_equal(cw_send_buf(K, S, &B), 5);
	assert_int_equal(send_close(C, 1000, ""), 6);
	assert_int_equal(send_close(S, 1000, ""), 7);
	fin_both();
	run();

	assert_int_equal(count(FINDING_HANDSHAKE), 1);
	f = fnd(FINDING_HANDSHAKE, RULE_BAD_ACCEPT_KEY, ROLE_SERVER);
	assert_string_equal(finding_class_names[f->class], "handshake");
	assert_int_equal(f->packet, 5);
	assert_int_equal(f->frame_index, -1);
	assert_string_equal(conn(1)->verdict, "handshake");
	assert_true(conn(1)->websocket);
}

static void
test_refused(void **state)
{
	static const char resp[] = "HTTP/1.1 403 Forbidden\r\n"
	    "Content-Length: 9\r\n\r\nforbidden";
	const struct finding *f;

	(void)state;
	cw_handshake(K);
	cw_http_request(&B, NULL);
	cw_send_buf(K, C, &B);
	assert_int_equal(cw_send(K, S, resp, sizeof resp - 1), 5);
	fin_both();
	run();

	assert_int_equal(nfindings(), 1);
	f = fnd(FINDING_HANDSHAKE, RULE_HANDSHAKE_REFUSED, ROLE_SERVER);
	assert_int_equal(f->packet, 5);
	assert_false(conn(1)->websocket);
	assert_true(conn(1)->handshake_seen);
	assert_string_equal(conn(1)->verdict, "handshake");
	assert_int_equal(recorder_count(R, REC_FRAME), 0);
}

/*
 * A keep-alive request with a body, then the Upgrade. pipelined: the
 * Upgrade request leaves before the first response arrives.
 */
static void
keepalive_then_upgrade(int pipelined)
{
	static const char req[] = "GET /api HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 12\r\n\r\nGET / HTTP/";
	static const char resp[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 2\r\n\r\nok";

	cw_handshake(K);
	assert_int_equal(cw_send(K, C, req, sizeof req - 1), 4);
	if (!pipelined) {
		/* The body's last byte arrives in a segment of its own. */
		assert_int_equal(cw_send(K, C, "\n", 1), 5);
		assert_int_equal(cw_send(K, S, resp, sizeof resp - 1), 6);
		cw_http_request(&B, NULL);
		assert_int_equal(cw_send_buf(K, C, &B), 7);
	} else {
		/* The body's last byte arrives with the next request. */
		cw_buf_add(&B, "\n", 1);
		cw_http_request(&B, NULL);
		assert_int_equal(cw_send_buf(K, C, &B), 5);
		assert_int_equal(cw_send(K, S, resp, sizeof resp - 1), 6);
		assert_int_equal(cw_ack(K, C), 7);
	}
	cw_http_101(&B, 1, NULL);
	assert_int_equal(cw_send_buf(K, S, &B), 8);
	assert_int_equal(send_text(C, "x"), 9);
	assert_int_equal(send_text(S, "y"), 10);
	assert_int_equal(send_close(C, 1000, ""), 11);
	assert_int_equal(send_close(S, 1000, ""), 12);
	fin_both();
	run();

	assert_int_equal(nfindings(), 2);
	assert_int_equal(count(FINDING_CLOSE), 2);
	assert_true(conn(1)->handshake_seen);
	assert_int_equal(frame(C, 0)->first_pkt, 9);
	assert_int_equal(frame(S, 0)->first_pkt, 10);
	assert_string_equal(conn(1)->verdict, "normal");
}

static void
test_keepalive_then_upgrade(void **state)
{
	(void)state;
	keepalive_then_upgrade(0);
}

static void
test_keepalive_pipelined(void **state)
{
	(void)state;
	keepalive_then_upgrade(1);
}

/* Client frames sent before the 101 are decoded after it. */
static void
test_frames_before_101(void **state)
{
	(void)state;
	cw_handshake(K);
	cw_http_request(&B, NULL);
	cw_ws_simple(&B, 0x1, 1, "early", 5);
	assert_int_equal(cw_send_buf(K, C, &B), 4);
	assert_int_equal(send_text(C, "early2"), 5);
	cw_http_101(&B, 1, NULL);
	cw_ws_simple(&B, 0x1, 0, "welcome", 7);
	assert_int_equal(cw_send_buf(K, S, &B), 6);
	assert_int_equal(send_close(C, 1000, ""), 7);
	assert_int_equal(send_close(S, 1000, ""), 8);
	fin_both();
	run();

	assert_int_equal(nfindings(), 2);
	assert_int_equal(frame(C, 0)->first_pkt, 4);
	assert_int_equal(frame(C, 0)->payload_len, 5);
	assert_int_equal(frame(C, 1)->first_pkt, 5);
	assert_int_equal(frame(C, 2)->first_pkt, 7);
	assert_int_equal(frame(S, 0)->first_pkt, 6);
	assert_int_equal(frame(S, 0)->payload_len, 7);
	assert_int_equal(fnd(FINDING_CLOSE, RULE_NONE, ROLE_CLIENT)->frame_index,
	    2);
	assert_int_equal(conn(1)->frames[ROLE_CLIENT], 3);
}

/* No handshake captured: frames alone, the server speaking first. */
static void
test_midstream(void **state)
{
	uint8_t z[64];
	size_t  zn;

	(void)state;
	assert_int_equal(send_text(S, "server first"), 1);
	assert_int_equal(send_text(C, "client"), 2);
	zn = cw_deflate("compressed", 10, z, sizeof z);
	cw_ws_frame(&B, 1, 4, 0x1, 1, CW_LEN_AUTO, z, zn, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, C, &B), 3);
	cw_ws_frame(&B, 1, 4, 0x1, 0, CW_LEN_AUTO, z, zn, UINT64_MAX);
	assert_int_equal(cw_send_buf(K, S, &B), 4);
	run();

	assert_int_equal(count(FINDING_VIOLATION), 0);
	assert_true(conn(1)->websocket);
	assert_false(conn(1)->handshake_seen);
	assert_true(conn(1)->midstream);
	assert_string_equal(conn(1)->client, "10.0.0.1:40000");
	assert_string_equal(conn(1)->extensions_state, "unknown");
	assert_int_equal(conn(1)->frames[ROLE_CLIENT], 2);
	assert_int_equal(conn(1)->frames[ROLE_SERVER], 2);
	assert_int_equal(frame(S, 0)->first_pkt, 1);
	assert_int_equal(frame(C, 1)->rsv, 4);
	assert_string_equal(conn(1)->verdict, "open");
}

/* A 1002 mid-stream with nothing visible: the handshake is missing. */
static void
test_midstream_1002(void **state)
{
	const struct finding *f;

	(void)state;
	send_text(C, "a");
	assert_int_equal(send_text(C, "b"), 2);
	assert_int_equal(send_close(S, 1002, ""), 3);
	cw_rst(K, S);
	run();

	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_offending(f, 2, 1, ROLE_CLIENT, RULE_NONE);
	assert_non_null(strstr(f->detail, "handshake was not captured"));
}

/* Client bytes lost: a capture-gap, and a 1002 after it says so. */
static void
test_gap(void **state)
{
	const struct finding *f;

	(void)state;
	open_ws(NULL);
	assert_int_equal(send_text(C, "before"), 6);
	cw_ws_simple(&B, 0x1, 1, "lost frame", 10);
	cw_skip(K, C, B.len);
	cw_buf_reset(&B);
	assert_int_equal(send_text(C, "after"), 7);
	assert_int_equal(send_close(S, 1002, ""), 8);
	assert_int_equal(send_close(C, 1002, ""), 9);
	fin_both();
	run();

	assert_int_equal(count(FINDING_VIOLATION), 0);
	f = fnd(FINDING_CAPTURE, RULE_CAPTURE_GAP, ROLE_CLIENT);
	assert_string_equal(finding_class_names[f->class], "capture");
	assert_int_equal(f->packet, 7);
	assert_non_null(strstr(f->detail, "16 bytes"));
	f = fnd(FINDING_CLOSE, RULE_NONE, ROLE_SERVER);
	assert_close(f, "1002", 1002, 8, 0, 0);
	assert_non_null(strstr(f->detail, "no violation visible"));
	assert_non_null(strstr(f->detail, "gap"));
	assert_offending(f, 7, 1, ROLE_CLIENT, RULE_NONE);
	/* The frame after the gap is decoded; the lost one is not counted. */
	assert_int_equal(conn(1)->frames[ROLE_CLIENT], 3);
}

/* A packet cut by the snaplen: capture-truncated, nothing blamed. */
static void
test_snaplen(void **state)
{
	static uint8_t p[200];
	const struct finding *f;

	(void)state;
	memset(p, 'x', sizeof p);
	open_ws(NULL);
	cw_ws_simple(&B, 0x2, 1, p, sizeof p);
	assert_int_equal(cw_send_cut(K, C, B.p, B.len, 20), 6);
	cw_buf_reset(&B);
	assert_int_equal(send_text(C, "next"), 7);
	assert_int_equal(send_close(S, 1000, ""), 8);
	assert_int_equal(send_close(C, 1000, ""), 9);
	fin_both();
	run();

	assert_int_equal(count(FINDING_VIOLATION), 0);
	f = fnd(FINDING_CAPTURE, RULE_CAPTURE_TRUNCATED, ROLE_CLIENT);
	assert_int_equal(f->packet, 6);
	assert_int_equal(frame(C, 0)->payload_len, 200);
	assert_true(frame(C, 0)->truncated);
	assert_int_equal(frame(C, 1)->first_pkt, 7);
	assert_string_equal(conn(1)->verdict, "normal");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tolerated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tolerance_fin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tolerance_unknown, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tolerance_bounded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tolerance_carried_full,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_1002_unmasked, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_1002_no_violation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_frame_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_close_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_close_rules_attributed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_after_close, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_valid_neighbours, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_1009_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_1009_profiles, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_1009_reason, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_1009_reason_wordings,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_1009_frame_limit,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_1009_reason_contradicted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_1009_continuation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_1009_continuation_ping,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_1009_inflated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_1009_pipelined, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_1009_other_connection,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_1009_other_connection_open,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_abrupt_reset, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_abrupt_fin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_close_unanswered, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_at_end, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_accept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_then_upgrade,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_pipelined,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_frames_before_101, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_midstream, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_close_without_code, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_1002_strict_only_not_cause,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_1002_strict_only_not_cause_strict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_1002_non_minimal_quiet,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream_1002, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snaplen, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
