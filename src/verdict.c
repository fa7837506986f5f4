/*
 * verdict: at a connection's end, say why each close frame was sent and
 * which frame of the peer provoked it; name abnormal ends and the limits
 * of the capture itself.
 *
 * Attribution looks only at frames whose first header byte was captured
 * at or before the close frame's first packet: the closer cannot have
 * reacted to anything later.
 */
#include "config.h"

#include <inttypes.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "capture-set.h"
#include "size-limits.h"
#include "rules.h"
#include "verdict.h"

/*
 * One connection's pass. It reads the history and writes only here, the
 * summary and through emit: what it learns on the way (the profile a
 * limit fits, a refused message) serves its own later steps.
 */
struct verdict_pass {
	const struct conn_history *h;
	struct conn_summary       *cs;      /* set once fingerprinted */
	struct limits             *limits;
	verdict_emit_cb           *emit;
	void                      *emit_ctx;
	int                        emitted;  /* findings said by this pass */
	/* The one profile a limit fits, by role. */
	const char                *limit_profile[2];
	/*
	 * The server refused a client message (1009): only messages before
	 * it, the largest taken_before, show what it takes.
	 */
	int                        refused;
	uint64_t                   taken_before;
};

static enum finding_class verdict_close_class(int);
static void        verdict_emit(struct verdict_pass *, struct finding *);
static void        verdict_close(struct verdict_pass *, int,
			enum finding_class *);
static void        verdict_attribute_rule(struct verdict_pass *, int,
			struct finding *);
static void        verdict_attribute_size(struct verdict_pass *, int,
			struct finding *, struct limit_frag *, size_t *);
static uint64_t    verdict_later_frames(const struct role_state *,
			const struct hist_frame *, uint64_t);
static size_t      verdict_fragments(const struct role_state *,
			const struct hist_frame *, uint64_t,
			struct limit_frag *);
static const struct hist_frame *verdict_last_frame(const struct role_state *,
			uint64_t);
static const struct hist_frame *verdict_size_frame(const struct role_state *,
			uint64_t);
static enum rule_id verdict_frame_rule(const struct role_state *,
			const struct hist_frame *);
static uint64_t    verdict_msg_size(const struct hist_frame *);
static int64_t     verdict_reason_limit(const char *, size_t);
static void        verdict_clean_end(struct verdict_pass *, struct finding *);
static void        verdict_abnormal(struct verdict_pass *, int,
			enum finding_class *);
static void        verdict_capture(struct verdict_pass *, int);
static const char *verdict_no_violation_why(const struct verdict_pass *, int);
static int         verdict_rule_reported_over(enum rule_id, enum rule_id);
static const char *verdict_stack_profile(const struct verdict_pass *, int);
static int         first_closer(const struct verdict_pass *);
static void        verdict_fingerprint(struct verdict_pass *,
			struct conn_summary *, int);
static void        verdict_fingerprint_late(struct verdict_pass *,
			struct conn_summary *, int);
static void        verdict_evidence(struct conn_summary *, int,
			const char *, const char *);
static void        verdict_rank(enum finding_class *, enum finding_class);
static void        verdict_fingerprint_reaction(struct verdict_pass *, int,
			const struct finding *);
static void        verdict_pings(struct verdict_pass *, int);
static void        verdict_idle(struct verdict_pass *, int, struct finding *);

/*
 * A connection's verdict is its gravest finding: a protocol, data or size
 * error first, then an abnormal end, a handshake failure, an application
 * or unusual close, a normal close. The earliest wins a tie (the three
 * error classes rank alike). CLASS_NONE: none yet.
 */
static void
verdict_rank(enum finding_class *verdict, enum finding_class class)
{
	static const int rank[CLASS_COUNT] = {
#define VERDICT_RANK(e, name, rank, sort, ansi, pair, attr, mono, key) \
		[CLASS_##e] = rank,
		CLASS_LIST(VERDICT_RANK)
#undef VERDICT_RANK
	};

	if (rank[class] > rank[*verdict])
		*verdict = class;
}

/*
 * Stack fingerprints: what a header or a close reason says about the
 * software that wrote it (wordings from each stack's source).
 */
static const struct {
	const char *needle;   /* case-insensitive substring */
	const char *stack;
} verdict_headers[] = {
	{ "websockets/", "python-websockets" },
	{ "aiohttp", "aiohttp" },
	{ "tornado", "tornado" },
	{ "jetty", "jetty" },
	{ "coyote", "tomcat" },
	{ "tomcat", "tomcat" },
	{ "netty", "netty" },
	{ "uwebsockets", "uwebsockets" },
	{ "cowboy", "cowboy" },
	{ "gorilla", "gorilla" },
	{ "go-http-client", "go" },
	{ "okhttp", "okhttp" },
	{ "websocketpp", "websocketpp" },
	{ "boost.beast", "boost-beast" },
	{ "tungstenite", "tungstenite" },
	{ "mozilla/", "browser" },
}, verdict_reasons[] = {
	{ "exceeds limit of", "python-websockets" },
	{ "over size limit", "python-websockets" },
	{ "max frame length of", "netty" },
	{ "message too large: (actual)", "jetty" },
	{ "read limited at", "coder-websocket" },
	{ "messagehandler has a limit", "tomcat" },
	{ "message too big", "tornado" },
	{ "a message was too large", "websocketpp" },
	{ "message is too large", "cloudflare" },
	{ "stomp buffer size limit", "spring-stomp" },
	/*
	 * Violation wordings (limits.md), where only one stack uses them.
	 * Node ws sends no reason; the wordings of its errors stay local.
	 */
	{ "bad opcode", "gorilla" },
	{ "rsv1 set", "gorilla" },
	{ "rsv2 set", "gorilla" },
	{ "rsv3 set", "gorilla" },
	{ "bad mask", "gorilla" },
	{ "len > 125 for control", "gorilla" },
	{ "fin not set on control", "gorilla" },
	{ "continuation after fin", "gorilla" },
	{ "data before fin", "gorilla" },
	{ "bad close code", "gorilla" },
	{ "invalid utf8 payload in close frame", "gorilla" },
	{ "reserved bits must be 0", "python-websockets" },
	{ "incorrect masking", "python-websockets" },
	{ "control frame too long", "python-websockets" },
	{ "unexpected continuation frame", "python-websockets" },
	{ "expected a continuation frame", "python-websockets" },
	{ "close frame too short", "python-websockets" },
	{ "using reserved opcode", "netty" },
	{ "not masked as expected", "netty" },
	{ "continuation data frame outside fragmented", "netty" },
	{ "non-continuation data frame while inside", "netty" },
	{ "close control frame with payload len 1", "netty" },
	{ "not using minimal length encoding", "netty" },
};

/*
 * The stacks whose way of failing a connection is known, and whether each
 * sends a close reason then.
 */
static const struct {
	const char *id;
	int         reason;   /* 1 states one, 0 never, -1 unknown */
} verdict_stack_names[] = {
	{ "node-ws", 0 },
	{ "python-websockets", -1 },
	{ "gorilla", 1 },
	{ "tomcat", -1 },
	{ "netty", 1 },
};

static void
verdict_evidence(struct conn_summary *cs, int role, const char *stack,
    const char *why)
{
	size_t n = strlen(cs->stack_evidence[role]);

	/* stack NULL: evidence that names no one stack. */
	if (stack == NULL)
		;
	else if (cs->stack[role][0] == '\0')
		snprintf(cs->stack[role], sizeof cs->stack[role], "%s", stack);
	else if (strcmp(cs->stack[role], stack) != 0)
		return;
	snprintf(cs->stack_evidence[role] + n, sizeof cs->stack_evidence[role]
	    - n, "%s%s", n ? "; " : "", why);
}

const char *
verdict_header_stack(const char *hdr)
{
	size_t i;

	for (i = 0; i < sizeof verdict_headers / sizeof verdict_headers[0]; i++)
		if (strcasestr(hdr, verdict_headers[i].needle) != NULL)
			return verdict_headers[i].stack;
	return NULL;
}

/*
 * Names a side's likely stack when the evidence supports it: its Server
 * or User-Agent header, the wording of its close reason, a size limit
 * only one known default fits, or the way it fails. The first, strongest
 * witness names the stack; later ones that agree are added as evidence.
 */
static void
verdict_fingerprint(struct verdict_pass *vp, struct conn_summary *cs, int role)
{
	const struct role_state *rs = &vp->h->rs[role];
	const char              *hdr = NULL, *stack;
	char                     why[200], low[124];
	size_t                   i;

	if (role == ROLE_SERVER && vp->h->resp != NULL && vp->h->resp->server[0])
		hdr = vp->h->resp->server;
	if (role == ROLE_CLIENT && vp->h->req != NULL && vp->h->req->user_agent[0])
		hdr = vp->h->req->user_agent;
	if (hdr != NULL && (stack = verdict_header_stack(hdr)) != NULL) {
		snprintf(why, sizeof why, "%s header \"%.120s\"",
		    role == ROLE_SERVER ? "Server" : "User-Agent", hdr);
		verdict_evidence(cs, role, stack, why);
	}
	if (rs->close_sent && rs->reason_len > 0) {
		for (i = 0; i < rs->reason_len && i < sizeof low - 1; i++)
			low[i] = (char)(rs->reason[i] >= 'A' &&
			    rs->reason[i] <= 'Z' ? rs->reason[i] + 32 :
			    rs->reason[i]);
		low[i] = '\0';
		for (i = 0; i < sizeof verdict_reasons /
		    sizeof verdict_reasons[0]; i++) {
			if (strstr(low, verdict_reasons[i].needle) != NULL) {
				snprintf(why, sizeof why, "close reason "
				    "wording \"%s\"", verdict_reasons[i].needle);
				verdict_evidence(cs, role,
				    verdict_reasons[i].stack, why);
				break;
			}
		}
	}
}

/* The witnesses known only after the closes were read. */
static void
verdict_fingerprint_late(struct verdict_pass *vp, struct conn_summary *cs,
    int role)
{
	const struct role_state *rs = &vp->h->rs[role];
	char                     why[200];

	if (vp->limit_profile[role] != NULL) {
		snprintf(why, sizeof why, "its size limit fits only the %s "
		    "default", vp->limit_profile[role]);
		verdict_evidence(cs, role, vp->limit_profile[role], why);
	}
	/*
	 * Dropping TCP right after the peer broke a rule, with no close:
	 * several stacks do, so it names none; it is evidence.
	 */
	/* Carrying on after a violation is how lenient stacks differ. */
	if (rs->tolerated > 0) {
		snprintf(why, sizeof why, "tolerated the peer's %s%s",
		    rule_name(rs->tolerated_rule), rs->tolerated > 1 ?
		    " and more" : "");
		verdict_evidence(cs, role, NULL, why);
	}
	if (rs->ended && !rs->close_sent && vp->h->rs[!role].nhv > 0 &&
	    cs->stack[role][0] == '\0')
		verdict_evidence(cs, role, NULL, "ended TCP with no close frame "
		    "after the peer broke a rule, as uWebSockets, Tornado, "
		    "tungstenite and fastwebsockets do");
}

/*
 * How a side failed the connection: a close frame with this code after
 * the peer broke that rule. Evidence for a stack already named when it is
 * how that stack fails; alone it names Node ws, the one known stack that
 * answers with an empty reason and sends no Server (or User-Agent) header,
 * where python-websockets and Cowboy send one by default.
 */
static void
verdict_fingerprint_reaction(struct verdict_pass *vp, int role,
    const struct finding *f)
{
	struct conn_summary *cs = vp->cs;
	const char          *rule = rule_name(f->offending_rule);
	const char          *hdr = NULL;
	char                 why[200];
	unsigned             i;
	int                  reason = -1, known = 0;

	if (cs == NULL || rule == NULL || f->code < 0)
		return;
	if (role == ROLE_SERVER && vp->h->resp != NULL)
		hdr = vp->h->resp->server;
	if (role == ROLE_CLIENT && vp->h->req != NULL)
		hdr = vp->h->req->user_agent;
	for (i = 0; i < sizeof verdict_stack_names /
	    sizeof verdict_stack_names[0]; i++)
		if (strcmp(verdict_stack_names[i].id, cs->stack[role]) == 0) {
			known = 1;
			reason = verdict_stack_names[i].reason;
		}
	if (cs->stack[role][0] == '\0') {
		if (!vp->h->handshake_seen || hdr == NULL || hdr[0] != '\0' ||
		    f->reason_len != 0 ||
		    !rule_stack_answers(f->offending_rule, f->code, "node-ws"))
			return;
		snprintf(why, sizeof why, "closed %d with an empty reason after "
		    "the peer's %s, as Node ws does; no %s header", f->code,
		    rule, role == ROLE_SERVER ? "Server" : "User-Agent");
		verdict_evidence(cs, role, "node-ws", why);
		return;
	}
	if (!known ||
	    !rule_stack_answers(f->offending_rule, f->code, cs->stack[role]) ||
	    (reason == 0 && f->reason_len != 0) ||
	    (reason == 1 && f->reason_len == 0))
		return;
	snprintf(why, sizeof why, "failed the connection with a close frame "
	    "(%d) after the peer's %s", f->code, rule);
	verdict_evidence(cs, role, cs->stack[role], why);
}

/* The role whose close frame came first (the caller knows one exists). */
static int
first_closer(const struct verdict_pass *vp)
{
	if (!vp->h->rs[ROLE_SERVER].close_sent)
		return ROLE_CLIENT;
	if (!vp->h->rs[ROLE_CLIENT].close_sent)
		return ROLE_SERVER;
	return vp->h->rs[ROLE_SERVER].close_pkt < vp->h->rs[ROLE_CLIENT].close_pkt ?
	    ROLE_SERVER : ROLE_CLIENT;
}

static enum finding_class
verdict_close_class(int code)
{
	switch (code) {
	case -1:
	case 1000:
	case 1001:
		return CLASS_NORMAL;
	case 1002:
		return CLASS_1002;
	case 1007:
		return CLASS_1007;
	case 1009:
		return CLASS_1009;
	}
	if (code >= 3000 && code <= 4999)
		return CLASS_APPLICATION;
	return CLASS_OTHER;
}

/* The latest frame of a role whose header began at or before pkt. */
static const struct hist_frame *
verdict_last_frame(const struct role_state *rs, uint64_t pkt)
{
	const struct hist_frame *best = NULL, *h;
	uint64_t                 i, n;

	n = rs->nhf < HIST_FRAMES ? rs->nhf : HIST_FRAMES;
	for (i = 0; i < n; i++) {
		h = &rs->hf[i];
		if (h->first_pkt > pkt)
			continue;
		if (best == NULL || h->index > best->index)
			best = h;
	}
	return best;
}

/*
 * The latest rule a frame broke, a reported one before one reported only
 * under --strict; or RULE_NONE.
 */
static enum rule_id
verdict_frame_rule(const struct role_state *rs, const struct hist_frame *h)
{
	const struct hist_viol *v;
	enum rule_id            best = RULE_NONE;
	uint64_t                i, n;

	n = rs->nhv < HIST_VIOLS ? rs->nhv : HIST_VIOLS;
	for (i = n; i-- > 0;) {
		v = &rs->hv[(rs->nhv - n + i) % HIST_VIOLS];
		if (!v->has_frame || v->frame_index != h->index ||
		    v->pkt != h->first_pkt)
			continue;
		if (best == RULE_NONE || verdict_rule_reported_over(v->rule, best))
			best = v->rule;
	}
	return best;
}

/* Size of a frame's message up to it: decoded when it was inflated. */
static uint64_t
verdict_msg_size(const struct hist_frame *h)
{
	return h->msg_compressed && h->msg_decoded > h->msg_wire ?
	    h->msg_decoded : h->msg_wire;
}

/*
 * The frame that pushed past what the closer had taken before: the latest
 * data frame, at or before the close, whose message grew larger than any
 * message completed before it, or which was itself larger than any frame
 * before it (a frame limit: Netty, Jetty). The last frame when none did.
 */
static const struct hist_frame *
verdict_size_frame(const struct role_state *rs, uint64_t pkt)
{
	const struct hist_frame *best = NULL, *h;
	uint64_t                 i, n;

	n = rs->nhf < HIST_FRAMES ? rs->nhf : HIST_FRAMES;
	for (i = 0; i < n; i++) {
		h = &rs->hf[i];
		/* A frame that adds no bytes crosses no limit. */
		if (h->first_pkt > pkt || WS_OP_IS_CONTROL(h->opcode) ||
		    h->payload_len == 0)
			continue;
		if (verdict_msg_size(h) <= h->max_msg_before &&
		    h->payload_len <= h->max_frame_before)
			continue;
		if (best == NULL || h->index > best->index)
			best = h;
	}
	return best != NULL ? best : verdict_last_frame(rs, pkt);
}

static const char *
verdict_no_violation_why(const struct verdict_pass *vp, int peer)
{
	if (vp->h->rs[peer].gaps > 0)
		return "bytes from the peer were lost in a capture gap";
	if (!vp->h->handshake_seen)
		return "the handshake was not captured, so extensions and "
		    "limits are unknown";
	if (vp->h->ext == WS_EXT_UNKNOWN)
		return "the extension state is unknown";
	return "the closer may apply a rule or limit not visible on the wire";
}

/*
 * Of two rules one frame broke, a is the better cause when b is reported
 * only under --strict and a is not (a 64-bit length on a control frame too
 * long: control-frame-too-long, not non-minimal-length). A strict-only
 * rule stays a cause when it is the only one (Netty fails on it).
 */
static int
verdict_rule_reported_over(enum rule_id a, enum rule_id b)
{
	return rule_get(a)->severity != SEV_STRICT &&
	    rule_get(b)->severity == SEV_STRICT;
}

static void
verdict_attribute_rule(struct verdict_pass *vp, int closer, struct finding *f)
{
	const struct role_state *ps = &vp->h->rs[!closer];
	const struct hist_viol  *v, *best = NULL;
	const struct hist_frame *h;
	const char              *stacks = NULL, *st;
	uint64_t                 i, n;

	/*
	 * A rule answered with this code: by a conforming receiver, or by
	 * the stacks known to answer it with another (gorilla's 1002 for a
	 * close reason that is not UTF-8).
	 */
	n = ps->nhv < HIST_VIOLS ? ps->nhv : HIST_VIOLS;
	for (i = 0; i < n; i++) {
		v = &ps->hv[i];
		st = rule_closes_with(v->rule, f->code);
		if (st == NULL || v->pkt > f->packet)
			continue;
		if (best == NULL || v->pkt > best->pkt ||
		    (v->pkt == best->pkt && v->frame_index > best->frame_index) ||
		    (v->pkt == best->pkt && v->frame_index == best->frame_index &&
		    verdict_rule_reported_over(v->rule, best->rule))) {
			best = v;
			stacks = st;
		}
	}
	if (best != NULL) {
		f->has_offending = 1;
		f->offending_packet = best->pkt;
		f->offending_frame_index = best->has_frame ?
		    (int64_t)best->frame_index : -1;
		f->offending_sender = !closer;
		f->offending_rule = best->rule;
		if (stacks[0] != '\0')
			snprintf(f->detail, sizeof f->detail, "%s answered "
			    "with %d, as %s do; a conforming receiver sends %d",
			    rule_name(best->rule), f->code, stacks,
			    rule_get(best->rule)->code);
		return;
	}
	h = verdict_last_frame(ps, f->packet);
	if (h != NULL) {
		f->has_offending = 1;
		f->offending_packet = h->first_pkt;
		f->offending_frame_index = (int64_t)h->index;
		f->offending_sender = !closer;
		f->offending_rule = RULE_NONE;
	}
	snprintf(f->detail, sizeof f->detail, "no violation visible: %s%s",
	    verdict_no_violation_why(vp, !closer),
	    h != NULL ? "; candidate: the last frame the closer received" : "");
}

/*
 * 1009: the peer's frame that pushed a frame or message over the limit,
 * and the closer's limit as far as this connection bounds it (the capture
 * end pass adds the other connections). frag receives the fragments of a
 * fragmented offending message, for that pass to pick from again.
 */
static void
verdict_attribute_size(struct verdict_pass *vp, int closer, struct finding *f,
    struct limit_frag *frag, size_t *nfrag)
{
	const struct role_state *ps = &vp->h->rs[!closer];
	const struct hist_frame *h = verdict_size_frame(ps, f->packet);
	const struct hist_viol  *v;
	const char              *stack;
	uint64_t                 size, i, n;

	*nfrag = 0;
	f->limit_from_reason = verdict_reason_limit(f->reason, f->reason_len);
	if (h == NULL) {
		snprintf(f->detail, sizeof f->detail,
		    "no violation visible: %s",
		    verdict_no_violation_why(vp, !closer));
		return;
	}
	f->has_offending = 1;
	f->offending_packet = h->first_pkt;
	f->offending_frame_index = (int64_t)h->index;
	f->offending_sender = !closer;
	f->offending_rule = RULE_MESSAGE_TOO_BIG;
	/* A rule the frame broke says more: ws answers length-msb-set 1009. */
	n = ps->nhv < HIST_VIOLS ? ps->nhv : HIST_VIOLS;
	for (i = 0; i < n; i++) {
		v = &ps->hv[i];
		if (v->pkt != h->first_pkt || !v->has_frame ||
		    v->frame_index != h->index)
			continue;
		if (rule_closes_with(v->rule, 1009) != NULL ||
		    f->offending_rule == RULE_MESSAGE_TOO_BIG)
			f->offending_rule = v->rule;
	}
	/* What the server took on this connection ends before this message. */
	if (closer == ROLE_SERVER) {
		vp->refused = 1;
		vp->taken_before = h->max_msg_before;
	}
	/* Decoded size when inflated; else what the wire declared so far. */
	size = verdict_msg_size(h);
	f->limit_size = size;
	f->later_frames = verdict_later_frames(ps, h, f->packet);
	f->limit_basis = LIMIT_BASIS_PAYLOAD;
	if (h->msg_compressed) {
		f->limit_wire = h->msg_wire;
		f->limit_inflated = h->msg_decoded;
		f->limit_basis = h->msg_done && h->msg_decoded >= h->msg_wire ?
		    LIMIT_BASIS_INFLATED : LIMIT_BASIS_WIRE_OR_INFLATED;
	}
	if (h->msg_capped) {
		/* Only a lower bound: the closer's limit may lie above it. */
		f->limit_capped = 1;
		return;
	}
	/* A length with the top bits set is no size anyone sent. */
	f->has_limit = size < (UINT64_C(1) << 53);
	f->limit_min = h->max_msg_before;
	f->limit_max = size > 0 ? size - 1 : 0;
	if (f->has_limit && f->limit_max < f->limit_min) {
		/* An earlier, larger message was accepted: a frame limit. */
		f->limit_basis = LIMIT_BASIS_FRAME;
		f->limit_min = h->max_frame_before;
		f->limit_max = h->payload_len > 0 ? h->payload_len - 1 : 0;
		if (f->limit_max < f->limit_min)
			f->has_limit = 0;
	}
	if (!f->has_limit) {
		f->limit_min = f->limit_max = 0;
		return;
	}
	stack = verdict_stack_profile(vp, closer);
	profile_match(f->limit_min, f->limit_max, f->limit_from_reason, stack,
	    f->matching_profiles, sizeof f->matching_profiles);
	*nfrag = verdict_fragments(ps, h, f->packet, frag);
	limits_pick(f, frag, *nfrag);
	f->later_frames = verdict_later_frames(ps, NULL, f->packet) -
	    (uint64_t)f->offending_frame_index;
	limits_remedy_size(f, stack);
	if (f->matching_profiles[0] != '\0' &&
	    strchr(f->matching_profiles, ',') == NULL)
		vp->limit_profile[closer] =
		    profile_find(f->matching_profiles)->name;
}

/*
 * Frames of the peer after h (all of them when h is NULL: then the index
 * of the last one), up to the close at pkt.
 */
static uint64_t
verdict_later_frames(const struct role_state *rs, const struct hist_frame *h,
    uint64_t pkt)
{
	const struct hist_frame *last = verdict_last_frame(rs, pkt);

	if (last == NULL)
		return 0;
	if (h == NULL)
		return last->index;
	return last->index > h->index ? last->index - h->index : 0;
}

/*
 * The data frames of h's message sent before the close at pkt, in order,
 * with the message's size after each; 0 when it is not fragmented or its
 * first fragments are no longer remembered.
 */
static size_t
verdict_fragments(const struct role_state *rs, const struct hist_frame *h,
    uint64_t pkt, struct limit_frag *frag)
{
	const struct hist_frame *x;
	uint64_t                 i, n;
	size_t                   k = 0;

	if (h->msg_compressed)
		return 0;   /* no size per fragment after inflation */
	n = rs->nhf < HIST_FRAMES ? rs->nhf : HIST_FRAMES;
	/* Oldest first: the ring's order. */
	for (i = 0; i < n; i++) {
		x = &rs->hf[(rs->nhf - n + i) % HIST_FRAMES];
		if (x->message_id != h->message_id ||
		    WS_OP_IS_CONTROL(x->opcode) || x->first_pkt > pkt)
			continue;
		if (k == 0 && x->opcode == WS_OP_CONT)
			return 0;   /* its start was forgotten */
		/* Too many to keep: the crossing may lie past those kept. */
		if (k == LIMIT_FRAGS)
			return 0;
		frag[k].index = x->index;
		frag[k].pkt = x->first_pkt;
		frag[k].ts = x->ts;
		frag[k].cum = x->msg_wire;
		k++;
	}
	return k;
}

/*
 * Close reasons that state the limit (wordings of python-websockets,
 * Jetty, Netty, coder/websocket, Tomcat, Spring STOMP).
 */
static int64_t
verdict_reason_limit(const char *reason, size_t len)
{
	static const struct {
		const char *re;
		int         group;
		int         plus;
	} pats[] = {
		{ "exceeds limit of ([0-9]+) bytes", 1, 0 },
		{ "over size limit \\(([0-9]+|\\?) > ([0-9]+) bytes\\)", 2, 0 },
		{ "\\(configured max [a-z]+ message size\\) ([0-9,]+)", 1, 0 },
		{ "Max frame length of ([0-9]+) has been exceeded", 1, 0 },
		{ "read limited at ([0-9]+) bytes", 1, -1 },
		{ "has a limit of \\[([0-9]+)\\] bytes", 1, 0 },
		{ "buffer size limit of ([0-9]+) bytes", 1, 0 },
	};
	char       buf[128], num[32];
	regex_t    re;
	regmatch_t m[3];
	size_t     i, j, k;
	int64_t    v = -1;

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, reason, len);
	buf[len] = '\0';
	for (i = 0; i < sizeof pats / sizeof pats[0] && v < 0; i++) {
		if (regcomp(&re, pats[i].re, REG_EXTENDED) != 0)
			continue;
		if (regexec(&re, buf, 3, m, 0) == 0 &&
		    m[pats[i].group].rm_so >= 0) {
			for (j = (size_t)m[pats[i].group].rm_so, k = 0;
			    j < (size_t)m[pats[i].group].rm_eo &&
			    k < sizeof num - 1; j++)
				if (buf[j] != ',')
					num[k++] = buf[j];
			num[k] = '\0';
			v = strtoll(num, NULL, 10) + pats[i].plus;
		}
		regfree(&re);
	}
	return v;
}

/*
 * The answer completed the closing handshake: say how TCP ended and after
 * which frame, the last one of either side before that end.
 */
static void
verdict_clean_end(struct verdict_pass *vp, struct finding *f)
{
	const struct hist_frame *h[2];
	const char              *how = vp->cs->tcp_end;
	uint64_t                 end = vp->cs->end_packet;
	int                      r, last, by = -1;
	size_t                   n;
	char                     pk[CAPTURE_SET_PACKET_MAX];

	for (r = 0; r < 2; r++)
		if (vp->h->rs[r].ended && (by < 0 ||
		    vp->h->rs[r].end_pkt < vp->h->rs[by].end_pkt))
			by = r;
	if (by >= 0)
		end = vp->h->rs[by].end_pkt;
	if (strcmp(how, "open") == 0 || end == 0)
		end = vp->cs->last_pkt;
	for (r = 0; r < 2; r++)
		h[r] = verdict_last_frame(&vp->h->rs[r], end);
	if (h[0] == NULL && h[1] == NULL)
		return;
	last = h[0] == NULL ? 1 : h[1] == NULL ? 0 :
	    h[1]->first_pkt > h[0]->first_pkt ? 1 : 0;
	if (strcmp(how, "open") == 0)
		n = (size_t)snprintf(f->detail, sizeof f->detail, "closing "
		    "handshake complete; TCP still open when the capture ended");
	else if (by >= 0)
		n = (size_t)snprintf(f->detail, sizeof f->detail, "closing "
		    "handshake complete; the %s ended TCP (%s) at packet %s",
		    by == ROLE_CLIENT ? "client" : "server",
		    vp->h->rs[by].rst ? "RST" : "FIN",
		    capture_set_packet(end, pk, sizeof pk));
	else
		n = (size_t)snprintf(f->detail, sizeof f->detail, "closing "
		    "handshake complete; the connection ended (%s)", how);
	if (n < sizeof f->detail)
		snprintf(f->detail + n, sizeof f->detail - n, ", after %s "
		    "frame %" PRIu64 " (packet %s)",
		    last == ROLE_CLIENT ? "client" : "server", h[last]->index,
		    capture_set_packet(h[last]->first_pkt, pk, sizeof pk));
}

static void
verdict_close(struct verdict_pass *vp, int role, enum finding_class *verdict)
{
	const struct role_state *rs = &vp->h->rs[role];
	struct finding     f;
	enum finding_class class;
	const struct rule *r;
	struct limit_frag  frag[LIMIT_FRAGS];
	size_t             nfrag = 0;

	memset(&f, 0, sizeof f);
	class = verdict_close_class(rs->close_no_code ? -1 : rs->close_code);
	f.kind = FINDING_CLOSE;
	f.class = class;
	f.code = rs->close_code;
	f.sender = role;
	f.packet = rs->close_pkt;
	f.frame_index = (int64_t)rs->close_frame;
	f.time = rs->close_ts;
	f.limit_from_reason = -1;
	memcpy(f.reason, rs->reason, sizeof f.reason);
	f.reason_len = rs->reason_len;
	f.answered = vp->h->rs[!role].close_sent &&
	    vp->h->rs[!role].close_pkt < rs->close_pkt;
	/*
	 * An answer that echoes the peer's code says nothing new; one with a
	 * code of its own says why: a 1002 answering a malformed close.
	 */
	if (f.answered && vp->h->rs[!role].close_code == rs->close_code)
		;
	else if (class == CLASS_1002 || class == CLASS_1007)
		verdict_attribute_rule(vp, role, &f);
	else if (class == CLASS_1009)
		verdict_attribute_size(vp, role, &f, frag, &nfrag);
	limits_render(&f);
	if (f.answered && f.detail[0] == '\0')
		verdict_clean_end(vp, &f);
	r = rule_get(f.offending_rule);
	if (f.answered && r != NULL)
		snprintf(f.explanation, sizeof f.explanation,
		    "%s answered the peer's close with %d: %s",
		    role == ROLE_CLIENT ? "client" : "server", f.code,
		    r->explanation);
	else if (f.answered)
		snprintf(f.explanation, sizeof f.explanation,
		    "%s answered the peer's close", role == ROLE_CLIENT ?
		    "client" : "server");
	else if (r != NULL)
		snprintf(f.explanation, sizeof f.explanation,
		    "%s closed with %d: %s", role == ROLE_CLIENT ? "client" :
		    "server", f.code, r->explanation);
	else if (f.code >= 0 && !rs->close_no_code)
		snprintf(f.explanation, sizeof f.explanation,
		    "%s started the closing handshake with code %d (%s)",
		    role == ROLE_CLIENT ? "client" : "server", f.code,
		    finding_class_names[class]);
	else
		snprintf(f.explanation, sizeof f.explanation,
		    "%s started the closing handshake with no code%s",
		    role == ROLE_CLIENT ? "client" : "server",
		    rs->close_no_code ? " (1005, as the receiver reports it)" :
		    "");
	/* It failed the connection on a rule the peer broke. */
	if (f.offending_rule != RULE_NONE)   /* never set on an echo */
		verdict_fingerprint_reaction(vp, role, &f);
	verdict_rank(verdict, class);
	/* Its bounds are revisited with every connection at capture end. */
	f.conn_id = vp->cs->id;
	if (role == ROLE_SERVER && f.has_limit)
		limits_keep(vp->limits, vp->h->server_key, &f, frag, nfrag,
		    verdict_stack_profile(vp, role));
	verdict_emit(vp, &f);
}

/* The profile name of a role's fingerprinted stack; NULL. */
static const char *
verdict_stack_profile(const struct verdict_pass *vp, int role)
{
	const struct profile *p;

	if (vp->cs == NULL || (p = profile_find(vp->cs->stack[role])) == NULL)
		return NULL;
	return p->name;
}

/*
 * wss://: the TLS alert the role ended with before its FIN or RST: a
 * fatal one is why the connection died, not a bare FIN; the frame that
 * follows in the detail is still the one before the end.
 */
static void
verdict_tls_alert(const struct role_state *rs, struct finding *f)
{
	if (rs->tls_alert == NULL)
		return;
	snprintf(f->detail, sizeof f->detail, "%s TLS alert %s at packet %"
	    PRIu64 " before the end%s", rs->tls_alert_fatal ? "after a fatal" :
	    "after the", rs->tls_alert, rs->tls_alert_pkt,
	    rs->tls_alert_fatal ? " (a TLS error, not a WebSocket close)" : "");
}

static void
verdict_abnormal(struct verdict_pass *vp, int role, enum finding_class *verdict)
{
	const struct role_state *rs = &vp->h->rs[role];
	const struct role_state *ps = &vp->h->rs[!role];
	const struct hist_frame *h;
	const struct rule       *r;
	struct finding           f;
	char                     pk[CAPTURE_SET_PACKET_MAX];
	size_t                   n;

	memset(&f, 0, sizeof f);
	f.kind = FINDING_ABNORMAL;
	f.class = CLASS_1006;
	f.code = 1006;
	f.sender = role;
	f.frame_index = -1;
	f.limit_from_reason = -1;
	/* Past a point its decoder gave up on, a close may have gone unseen. */
	if (rs->blind)
		return;
	if (ps->close_sent && !rs->close_sent) {
		/* Where the connection ended without the answer. */
		f.rule = RULE_CLOSE_UNANSWERED;
		if (rs->ended) {
			f.packet = rs->end_pkt;
			f.time = rs->end_ts;
		} else if (vp->cs->end_packet != 0) {
			f.packet = vp->cs->end_packet;
			f.time = vp->cs->last_ts;
		} else if (ps->ended) {
			f.packet = ps->end_pkt;
			f.time = ps->end_ts;
		} else {
			f.packet = vp->cs->last_pkt;
			f.time = vp->cs->last_ts;
		}
	} else if (rs->ended && !rs->close_sent && !rs->blind) {
		f.rule = rs->rst ? RULE_ABRUPT_RESET : RULE_ABRUPT_FIN;
		f.packet = rs->end_pkt;
		f.time = rs->end_ts;
	} else
		return;
	verdict_tls_alert(rs, &f);
	h = verdict_last_frame(ps, f.packet);
	if (h != NULL) {
		f.has_offending = 1;
		f.offending_packet = h->first_pkt;
		f.offending_frame_index = (int64_t)h->index;
		f.offending_sender = !role;
		/* The suspect's own rule, when it broke one. */
		f.offending_rule = verdict_frame_rule(ps, h);
		n = strlen(f.detail);
		snprintf(f.detail + n, sizeof f.detail - n, "%safter %s frame %"
		    PRIu64 " (packet %s)%s%s", n ? "; " : "",
		    role == ROLE_SERVER ? "client" : "server", h->index,
		    capture_set_packet(h->first_pkt, pk, sizeof pk),
		    f.offending_rule != RULE_NONE ? ", which broke " : "",
		    f.offending_rule != RULE_NONE ?
		    rule_name(f.offending_rule) : "");
	}
	r = rule_get(f.rule);
	snprintf(f.explanation, sizeof f.explanation, "%s", r->explanation);
	if (f.rule != RULE_CLOSE_UNANSWERED)
		verdict_idle(vp, role, &f);
	verdict_rank(verdict, CLASS_1006);
	verdict_emit(vp, &f);
}

/*
 * The quiet time before an abrupt end of role, on the connection; when it
 * matches a proxy's idle timeout, the finding's cause and remedy say so.
 */
static void
verdict_idle(struct verdict_pass *vp, int role, struct finding *f)
{
	const struct role_state *rs = &vp->h->rs[role];
	struct conn_summary     *cs = vp->cs;
	char                     hops[200];
	double                   idle, data;
	size_t                   n = strlen(f->detail);

	if (rs->idle_ns < 0)
		return;
	idle = (double)rs->idle_ns / 1e9;
	data = rs->idle_data_ns >= 0 ? (double)rs->idle_data_ns / 1e9 : -1;
	/* The connection's: the first end. */
	if (!cs->has_idle || rs->end_pkt < vp->h->rs[!role].end_pkt) {
		cs->has_idle = 1;
		cs->idle_before_end = idle;
		cs->idle_data_before_end = data;
	}
	if (data >= 0)
		snprintf(f->detail + n, sizeof f->detail - n, "%sidle %.1f s "
		    "before the %s, %.1f s since the last data frame",
		    n ? "; " : "", idle, rs->rst ? "RST" : "FIN", data);
	else
		snprintf(f->detail + n, sizeof f->detail - n, "%sidle %.1f s "
		    "before the %s", n ? "; " : "", idle, rs->rst ? "RST" :
		    "FIN");
	if (idle_timeout_match(idle, hops, sizeof hops) == 0)
		return;
	snprintf(f->cause, sizeof f->cause, "idle %.1f s before the %s: "
	    "matches %s", idle, rs->rst ? "RST" : "FIN", hops);
	snprintf(f->remedy, sizeof f->remedy, "send pings more often than "
	    "every %.0f s, or raise the proxy's idle timeout", idle);
	f->remedy_set = 1;
}

/*
 * A side's pings: the connection's columns, and a finding on its peer
 * when some went unanswered (ping.h: PING_WAIT_NS).
 */
static void
verdict_pings(struct verdict_pass *vp, int role)
{
	struct conn_summary *cs = vp->cs;
	const struct rule   *r = rule_get(RULE_UNANSWERED_PING);
	struct ping_stats    st;
	struct finding       f;
	const char          *me = role == ROLE_CLIENT ? "client" : "server";
	char                 pk[CAPTURE_SET_PACKET_MAX];

	ping_stats(&vp->h->rs[role].ping, cs->last_ts, &st);
	cs->pings[role] = st.pings;
	cs->ping_answers[role] = st.answered;
	cs->pings_unanswered[role] = st.unanswered;
	cs->ping_rtt_min[role] = st.rtt_min_ms;
	cs->ping_rtt_median[role] = st.rtt_median_ms;
	cs->ping_rtt_max[role] = st.rtt_max_ms;
	if (st.unanswered == 0)
		return;
	memset(&f, 0, sizeof f);
	f.kind = FINDING_ABNORMAL;
	f.class = r->class;
	f.code = -1;
	f.sender = !role;    /* the peer that stayed silent */
	f.rule = RULE_UNANSWERED_PING;
	f.packet = st.first_unanswered_pkt;
	f.time = st.first_unanswered_ts;
	f.frame_index = -1;
	f.limit_from_reason = -1;
	snprintf(f.explanation, sizeof f.explanation, "%s", r->explanation);
	snprintf(f.detail, sizeof f.detail, "%" PRIu64 " of the %s's %" PRIu64
	    " ping%s never answered by the %s, the first at packet %s; the "
	    "connection went on %.1f s after it", st.unanswered, me,
	    st.pings, st.pings == 1 ? "" : "s", role == ROLE_CLIENT ?
	    "server" : "client",
	    capture_set_packet(st.first_unanswered_pkt, pk, sizeof pk),
	    (double)wts_ns_between(st.first_unanswered_ts, cs->last_ts) / 1e9);
	verdict_emit(vp, &f);
}

static void
verdict_capture(struct verdict_pass *vp, int role)
{
	const struct role_state *rs = &vp->h->rs[role];
	struct finding     f;
	size_t             n;
	uint64_t           skipped;

	/* Bytes skipped to find a frame boundary where no gap explains it. */
	skipped = vp->h->resync_skipped[role];
	if (rs->gaps == 0 && rs->suppressed == 0 && skipped == 0)
		return;
	rule_capture_finding(&f, rs->snap_gaps > 0 ? RULE_CAPTURE_TRUNCATED :
	    RULE_CAPTURE_GAP);
	f.sender = role;
	/* No gap: the stream began inside a frame, at its first packet. */
	f.packet = rs->gaps > 0 ? rs->first_gap_pkt : vp->cs->first_pkt;
	f.time = rs->gaps > 0 ? rs->first_gap_ts : vp->cs->first_ts;
	n = 0;
	if (rs->gaps > 0)
		n = (size_t)snprintf(f.detail, sizeof f.detail, "%" PRIu64
		    " gap%s, %" PRIu64 " bytes missing from the %s's stream",
		    rs->gaps, rs->gaps == 1 ? "" : "s", rs->gap_bytes,
		    role == ROLE_CLIENT ? "client" : "server");
	else
		n = (size_t)snprintf(f.detail, sizeof f.detail, "the %s's "
		    "stream was picked up inside a frame (%" PRIu64 " bytes"
		    " skipped to the first frame boundary)",
		    role == ROLE_CLIENT ? "client" : "server", skipped);
	if (rs->suppressed > 0 && n < sizeof f.detail)
		snprintf(f.detail + n, sizeof f.detail - n, "; %" PRIu64
		    " violation%s while the framing was resynchronised not "
		    "blamed", rs->suppressed, rs->suppressed == 1 ? "" : "s");
	verdict_emit(vp, &f);
}

static void
verdict_emit(struct verdict_pass *vp, struct finding *f)
{
	vp->emitted++;
	vp->emit(vp->emit_ctx, f);
}

void
verdict_conn_end(const struct conn_history *h, struct limits *limits,
    verdict_emit_cb *emit, void *emit_ctx, struct conn_summary *cs)
{
	struct verdict_pass pass, *vp = &pass;
	enum finding_class  verdict = CLASS_NONE;
	int                 first, r, failed;

	memset(vp, 0, sizeof *vp);
	vp->h = h;
	vp->limits = limits;
	vp->emit = emit;
	vp->emit_ctx = emit_ctx;
	for (r = 0; r < 2; r++)
		verdict_fingerprint(vp, cs, r);
	vp->cs = cs;
	/*
	 * RFC 6455 4.1: a client fails a handshake that does not conform by
	 * closing TCP. With no frame either way, that end (and the server's
	 * answer to it) is the expected reaction, not an abnormal end.
	 */
	failed = h->hs_findings > 0 && h->rs[0].frames == 0 &&
	    h->rs[1].frames == 0;
	if (cs->websocket) {
		/* Closes in the order they were sent. */
		first = first_closer(vp);
		for (r = 0; r < 2; r++)
			if (vp->h->rs[first ^ r].close_sent)
				verdict_close(vp, first ^ r, &verdict);
		if (strcmp(cs->tcp_end, "open") != 0 && !failed)
			for (r = 0; r < 2; r++)
				verdict_abnormal(vp, r, &verdict);
	}
	for (r = 0; r < 2; r++)
		verdict_pings(vp, r);
	if (cs->websocket || (vp->h->findings + vp->emitted) > 0)
		for (r = 0; r < 2; r++)
			verdict_capture(vp, r);
	if (vp->h->hs_findings > 0)
		verdict_rank(&verdict, CLASS_HANDSHAKE);
	for (r = 0; r < 2; r++)
		verdict_fingerprint_late(vp, cs, r);
	/* Evidence of its server's limit, for the other connections. */
	if (cs->websocket)
		limits_took(vp->limits, vp->h->server_key, vp->cs->id,
		    vp->refused ? vp->taken_before :
		    vp->h->rs[ROLE_CLIENT].max_msg);
	if (verdict == CLASS_NONE && strcmp(cs->tcp_end, "open") == 0)
		verdict = CLASS_OPEN;
	cs->verdict = finding_class_names[verdict];
	cs->ended_by = -1;
	if (vp->h->rs[0].close_sent || vp->h->rs[1].close_sent)
		cs->ended_by = first_closer(vp);
	else if (vp->h->rs[0].ended || vp->h->rs[1].ended)
		cs->ended_by = !h->rs[1].ended ? 0 : !h->rs[0].ended ? 1 :
		    h->rs[0].end_pkt <= h->rs[1].end_pkt ? 0 : 1;
}
