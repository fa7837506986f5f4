/*
 * size-limits (functions limits_*): a peer's size limit as numbers, the
 * capture-end bounds pass, and the one place where limit text is written
 * (see size-limits.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture-set.h"
#include "size-limits.h"
#include "rules.h"
#include "wsautopsy.h"

/* Servers whose evidence is kept, open addressing with a short probe. */
#define LIMIT_SERVERS 4096
#define LIMIT_PROBES  16

/* A length with the top bits set is no size anyone sent. */
#define LIMIT_ABSURD  (UINT64_C(1) << 53)

struct limit_server {
	uint64_t key;           /* 0: empty */
	/*
	 * The two largest messages taken whole and the two smallest refused,
	 * each from two different connections, so that a connection can be
	 * bounded by the others without its own.
	 */
	uint64_t took[2], took_conn[2];
	uint64_t refused[2], refused_conn[2];
};

struct limit_case {
	struct finding    f;        /* as sent, with update_slot set */
	uint64_t          server;
	const char       *stack;    /* the closer's profile name; NULL */
	uint64_t          own_min, own_max;
	uint64_t          last_index; /* the peer's last frame before the close */
	struct limit_frag frag[LIMIT_FRAGS];
	size_t            nfrag;
};

struct limits {
	struct limit_server  servers[LIMIT_SERVERS];
	struct limit_case  **cases;   /* one allocation each: most captures have few */
	size_t               ncases, cap;
	uint64_t             dropped;
	atomic_uint_fast64_t *slots;  /* shared update slots; NULL: ncases */
};

const char *const limit_basis_names[LIMIT_BASIS__COUNT] = {
	[LIMIT_BASIS_NONE] = NULL,
	[LIMIT_BASIS_PAYLOAD] = "payload",
	[LIMIT_BASIS_INFLATED] = "inflated",
	[LIMIT_BASIS_WIRE_OR_INFLATED] = "wire-or-inflated",
	[LIMIT_BASIS_FRAME] = "frame",
};

const char *const limit_source_names[LIMIT_SRC__COUNT] = {
	[LIMIT_SRC_NONE] = NULL,
	[LIMIT_SRC_REASON] = "reason",
	[LIMIT_SRC_PROFILE] = "profile",
	[LIMIT_SRC_TAKEN] = "taken",
	[LIMIT_SRC_OPTION] = "option",
};

static struct limit_server *limits_server(struct limits *, uint64_t);
static int      limits_slot_before(uint64_t, uint64_t, uint64_t, uint64_t,
    int);
static void     limits_slot_add(uint64_t *, uint64_t *, uint64_t, uint64_t,
    int);
static uint64_t limits_slot_other(const uint64_t *, const uint64_t *,
    uint64_t, int);
static int      limits_case_update(struct limits *, struct limit_case *,
    struct finding *);
static size_t   limits_crossing(const struct limit_frag *, size_t, uint64_t);
static size_t   limits_pick_known(const struct finding *,
    const struct limit_frag *, size_t);
static void     limits_remedy(struct finding *, const struct rule *);
static size_t   limits_cat(char *, size_t, size_t, const char *, ...)
    __attribute__((format(printf, 4, 5)));

struct limits *
limits_new(void)
{
	return xcalloc(1, sizeof(struct limits));
}

void
limits_free(struct limits *l)
{
	if (l == NULL)
		return;
	limits_reset(l);
	free(l->cases);
	free(l);
}

void
limits_reset(struct limits *l)
{
	size_t i;

	for (i = 0; i < l->ncases; i++)
		free(l->cases[i]);
	l->ncases = 0;
	l->dropped = 0;
	memset(l->servers, 0, sizeof l->servers);
}

static struct limit_server *
limits_server(struct limits *l, uint64_t key)
{
	unsigned probe, i;

	key |= 1;   /* 0 marks an empty slot */
	for (probe = 0; probe < LIMIT_PROBES; probe++) {
		i = (unsigned)((key + probe) % LIMIT_SERVERS);
		if (l->servers[i].key == key || l->servers[i].key == 0) {
			l->servers[i].key = key;
			return &l->servers[i];
		}
	}
	return NULL;
}

/* Size a of connection ca ranks before size b of cb. */
static int
limits_slot_before(uint64_t a, uint64_t ca, uint64_t b, uint64_t cb, int most)
{
	if (a != b)
		return most ? a > b : a < b;
	return ca < cb;
}

/*
 * Keep the two best sizes from two different connections: the largest
 * (most = 1) or the smallest (most = 0). 0 is an empty place.
 */
static void
limits_slot_add(uint64_t *v, uint64_t *conn, uint64_t c, uint64_t size,
    int most)
{
	int i, w;

	for (i = 0; i < 2; i++) {
		if (v[i] != 0 && conn[i] == c) {
			if (most ? size > v[i] : size < v[i])
				v[i] = size;
			return;
		}
	}
	/*
	 * The empty place, else the worse of the two. Equal sizes rank by
	 * connection, lower first: the two kept are the same whatever the
	 * order the connections came in (a merge of shards sees another).
	 */
	if (v[0] == 0 || v[1] == 0)
		w = v[0] == 0 ? 0 : 1;
	else
		w = limits_slot_before(v[0], conn[0], v[1], conn[1], most) ?
		    1 : 0;
	if (v[w] != 0 && !limits_slot_before(size, c, v[w], conn[w], most))
		return;
	v[w] = size;
	conn[w] = c;
}

/* The best size of a connection other than c; 0 none. */
static uint64_t
limits_slot_other(const uint64_t *v, const uint64_t *conn, uint64_t c,
    int most)
{
	uint64_t best = 0;
	int      i;

	for (i = 0; i < 2; i++) {
		if (v[i] == 0 || conn[i] == c)
			continue;
		if (best == 0 || (most ? v[i] > best : v[i] < best))
			best = v[i];
	}
	return best;
}

void
limits_took(struct limits *l, uint64_t server, uint64_t conn, uint64_t size)
{
	struct limit_server *sv;

	if (size == 0 || (sv = limits_server(l, server)) == NULL)
		return;
	limits_slot_add(sv->took, sv->took_conn, conn, size, 1);
}

int
limits_keep(struct limits *l, uint64_t server, struct finding *f,
    const struct limit_frag *frag, size_t nfrag, const char *stack)
{
	struct limit_server *sv;
	struct limit_case   *c;

	if ((sv = limits_server(l, server)) == NULL)
		return 0;
	/* A message refused is evidence for the other connections. */
	if (f->has_limit && f->limit_basis != LIMIT_BASIS_FRAME)
		limits_slot_add(sv->refused, sv->refused_conn, f->conn_id,
		    f->limit_max + 1, 0);
	if (l->ncases >= LIMIT_CASES_MAX) {
		l->dropped++;
		return 0;
	}
	if (l->ncases == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->cases = xrealloc(l->cases, l->cap * sizeof *l->cases);
	}
	c = xcalloc(1, sizeof *c);
	l->cases[l->ncases++] = c;
	f->update_slot = l->slots != NULL ?
	    (uint64_t)atomic_fetch_add(l->slots, 1) + 1 : l->ncases;
	c->f = *f;
	c->server = server;
	c->stack = stack;
	c->own_min = f->limit_min;
	c->own_max = f->limit_max;
	c->last_index = f->offending_frame_index >= 0 ?
	    (uint64_t)f->offending_frame_index + f->later_frames : 0;
	c->nfrag = nfrag < LIMIT_FRAGS ? nfrag : LIMIT_FRAGS;
	if (c->nfrag > 0)
		memcpy(c->frag, frag, c->nfrag * sizeof *frag);
	return 1;
}

/* The fragment that crosses limit lim: the first whose size passes it. */
static size_t
limits_crossing(const struct limit_frag *frag, size_t nfrag, uint64_t lim)
{
	size_t k;

	for (k = 0; k < nfrag && frag[k].cum <= lim; k++)
		;
	return k;
}

/*
 * Between candidates, a known limit decides: the one the close reason
 * states, else the defaults of the matching profiles when they all agree.
 * nfrag when none does.
 */
static size_t
limits_pick_known(const struct finding *f, const struct limit_frag *frag,
    size_t nfrag)
{
	const struct profile *p;
	const char           *at = f->matching_profiles, *comma;
	char                  name[64];
	size_t                k, pick = nfrag, len;

	if (f->limit_from_reason >= 0 &&
	    (uint64_t)f->limit_from_reason >= f->limit_min &&
	    (uint64_t)f->limit_from_reason <= f->limit_max)
		return limits_crossing(frag, nfrag,
		    (uint64_t)f->limit_from_reason);
	while (*at != '\0') {
		comma = strchr(at, ',');
		len = comma != NULL ? (size_t)(comma - at) : strlen(at);
		if (len < sizeof name) {
			memcpy(name, at, len);
			name[len] = '\0';
			if ((p = profile_find(name)) != NULL) {
				k = limits_crossing(frag, nfrag,
				    profile_limit(p));
				if (pick != nfrag && k != pick)
					return nfrag;
				pick = k;
			}
		}
		at += len + (comma != NULL);
	}
	return pick;
}

void
limits_pick(struct finding *f, const struct limit_frag *frag, size_t nfrag)
{
	size_t a, b, k, pick;

	f->cand_first = f->cand_last = -1;
	f->cand_below = 0;
	if (nfrag < 2 || !f->has_limit || f->limit_basis != LIMIT_BASIS_PAYLOAD)
		return;
	/*
	 * The stack refused at the first fragment past its limit L, and
	 * limit_min <= L <= limit_max: a fragment that adds no bytes never
	 * crosses it.
	 */
	a = limits_crossing(frag, nfrag, f->limit_min);
	b = limits_crossing(frag, nfrag, f->limit_max);
	if (a == nfrag)
		return;
	if (b == nfrag)
		b = nfrag - 1;
	/*
	 * Undecided, the column names the fragment by which the limit was
	 * passed for certain, and the detail names the candidates.
	 */
	pick = b;
	if (b > a && (k = limits_pick_known(f, frag, nfrag)) < nfrag)
		pick = k;
	f->offending_packet = frag[pick].pkt;
	f->offending_frame_index = (int64_t)frag[pick].index;
	f->limit_size = frag[pick].cum;
	if (b > a) {
		f->cand_first = (int64_t)frag[a].index;
		f->cand_last = (int64_t)frag[b].index;
		f->cand_below = frag[a].cum;
	}
}

void
limits_remedy_size(struct finding *f, const char *stack)
{
	const struct profile *p;
	uint64_t              lim;
	int                   fits;

	if (f->remedy_source == LIMIT_SRC_OPTION)
		return;
	f->remedy_limit = 0;
	f->remedy_source = LIMIT_SRC_NONE;
	fits = f->limit_from_reason >= 0 && (!f->has_limit ||
	    ((uint64_t)f->limit_from_reason >= f->limit_min &&
	    (uint64_t)f->limit_from_reason <= f->limit_max));
	if (fits) {
		f->remedy_limit = (uint64_t)f->limit_from_reason;
		f->remedy_source = LIMIT_SRC_REASON;
		return;
	}
	if (!f->has_limit)
		return;
	if (stack != NULL && (p = profile_find(stack)) != NULL &&
	    (lim = profile_limit(p)) >= f->limit_min && lim <= f->limit_max) {
		f->remedy_limit = lim;
		f->remedy_source = LIMIT_SRC_PROFILE;
	} else if (f->limit_min > 0) {
		f->remedy_limit = f->limit_min;
		f->remedy_source = LIMIT_SRC_TAKEN;
	}
}

/* snprintf at out + n, never past len; returns the new length. */
static size_t
limits_cat(char *out, size_t len, size_t n, const char *fmt, ...)
{
	va_list ap;
	int     k;

	if (n >= len)
		return n;
	va_start(ap, fmt);
	k = vsnprintf(out + n, len - n, fmt, ap);
	va_end(ap);
	if (k < 0)
		return n;
	return n + (size_t)k >= len ? len - 1 : n + (size_t)k;
}

/* The rule's remedy, its "%s" the limit to keep messages to. */
static void
limits_remedy(struct finding *f, const struct rule *r)
{
	const char *pct;
	char        num[32];

	f->remedy[0] = '\0';
	if (r == NULL || r->remedy == NULL)
		return;
	if ((pct = strstr(r->remedy, "%s")) == NULL) {
		snprintf(f->remedy, sizeof f->remedy, "%s", r->remedy);
		return;
	}
	if (f->remedy_limit > 0)
		snprintf(num, sizeof num, "%" PRIu64, f->remedy_limit);
	else
		snprintf(num, sizeof num, "the limit (N)");
	snprintf(f->remedy, sizeof f->remedy, "%.*s%s%s",
	    (int)(pct - r->remedy), r->remedy, num, pct + 2);
}

void
limits_render(struct finding *f)
{
	const struct rule *r;
	const char        *peer;
	char              *d = f->detail;
	char               pk[CAPTURE_SET_PACKET_MAX];
	size_t             n = 0, dl = sizeof f->detail;

	r = rule_get(f->rule != RULE_NONE ? f->rule : f->offending_rule);
	/* A remedy its finder wrote (an idle timeout's) is kept. */
	if (!f->remedy_set)
		limits_remedy(f, r);
	if (f->limit_basis == LIMIT_BASIS_NONE || !f->has_offending)
		return;
	peer = f->offending_sender == ROLE_SERVER ? "server" : "client";
	if (f->limit_capped) {
		snprintf(d, dl, "%s frame %" PRId64 " (packet %s) "
		    "brought the message past %" PRIu64 " bytes, where "
		    "inflation stopped: its size and the closer's limit are not "
		    "known", peer, f->offending_frame_index,
		    capture_set_packet(f->offending_packet, pk, sizeof pk),
		    f->limit_size - 1);
		return;
	}
	n = limits_cat(d, dl, n, "%s frame %" PRId64 " (packet %s) "
	    "brought the message to %" PRIu64 " bytes", peer,
	    f->offending_frame_index,
	    capture_set_packet(f->offending_packet, pk, sizeof pk),
	    f->limit_size);
	if (!f->has_limit) {
		limits_cat(d, dl, n, "%s", f->limit_size >= LIMIT_ABSURD ?
		    ", a length no sender means: no limit can be inferred" :
		    ", yet a larger one was taken before: no consistent limit");
		return;
	}
	n = limits_cat(d, dl, n, "; the closer's limit is between %" PRIu64
	    " and %" PRIu64 " bytes", f->limit_min, f->limit_max);
	if (f->limit_basis == LIMIT_BASIS_FRAME)
		n = limits_cat(d, dl, n, " of one frame");
	if (f->took_elsewhere > 0)
		n = limits_cat(d, dl, n, "; %" PRIu64 " bytes taken on another "
		    "connection raise the lower bound", f->took_elsewhere);
	if (f->refused_elsewhere > 0)
		n = limits_cat(d, dl, n, "; %" PRIu64 " bytes refused on "
		    "another connection lower the upper bound",
		    f->refused_elsewhere);
	if (f->limit_from_reason >= 0)
		n = limits_cat(d, dl, n, "; the close reason states %" PRId64
		    " bytes, %s", f->limit_from_reason,
		    (uint64_t)f->limit_from_reason >= f->limit_min &&
		    (uint64_t)f->limit_from_reason <= f->limit_max ?
		    "which fits" : "which the capture contradicts");
	if (f->disagree_size > 0)
		n = limits_cat(d, dl, n, "; connections disagree: another %s "
		    "%" PRIu64 " bytes", f->disagree_took ? "took" : "refused",
		    f->disagree_size);
	if (f->cand_first >= 0)
		n = limits_cat(d, dl, n, "; %s frames %" PRId64 "-%" PRId64
		    " may have crossed it: frame %" PRId64 " if the limit is "
		    "below %" PRIu64, peer, f->cand_first, f->cand_last,
		    f->cand_first, f->cand_below);
	if (f->limit_basis == LIMIT_BASIS_WIRE_OR_INFLATED)
		n = limits_cat(d, dl, n, "; %" PRIu64 " bytes on the wire, %"
		    PRIu64 " inflated: a stack that counts the wire size (ws) "
		    "refused it there", f->limit_wire, f->limit_inflated);
	if (f->later_frames > 0)
		limits_cat(d, dl, n, "; %" PRIu64 " later frame%s followed "
		    "before the close", f->later_frames,
		    f->later_frames == 1 ? "" : "s");
}

/*
 * The bounds of one close with every other connection's evidence; returns
 * 1 when anything the finding says changed.
 */
static int
limits_case_update(struct limits *l, struct limit_case *c, struct finding *f)
{
	struct limit_server *sv = limits_server(l, c->server);
	uint64_t             took, refused;

	*f = c->f;
	if (sv == NULL || !f->has_limit || f->limit_basis == LIMIT_BASIS_FRAME)
		return 0;
	f->limit_min = c->own_min;
	f->limit_max = c->own_max;
	took = limits_slot_other(sv->took, sv->took_conn, c->f.conn_id, 1);
	refused = limits_slot_other(sv->refused, sv->refused_conn,
	    c->f.conn_id, 0);
	if (took > f->limit_max) {
		f->disagree_size = took;
		f->disagree_took = 1;
	} else if (took > f->limit_min) {
		f->limit_min = took;
		f->took_elsewhere = took;
	}
	if (refused > 0 && refused - 1 < f->limit_max) {
		if (refused - 1 >= f->limit_min) {
			f->limit_max = refused - 1;
			f->refused_elsewhere = refused;
		} else if (f->disagree_size == 0) {
			f->disagree_size = refused;
			f->disagree_took = 0;
		}
	}
	if (f->limit_min == c->f.limit_min && f->limit_max == c->f.limit_max &&
	    f->disagree_size == 0)
		return 0;
	/* The profiles, the crossing fragment and the remedy follow. */
	profile_match(f->limit_min, f->limit_max, f->limit_from_reason,
	    c->stack, f->matching_profiles, sizeof f->matching_profiles);
	limits_pick(f, c->frag, c->nfrag);
	if (f->offending_frame_index >= 0 &&
	    c->last_index >= (uint64_t)f->offending_frame_index)
		f->later_frames = c->last_index -
		    (uint64_t)f->offending_frame_index;
	limits_remedy_size(f, c->stack);
	limits_render(f);
	return 1;
}

void
limits_share_slots(struct limits *l, atomic_uint_fast64_t *slots)
{
	l->slots = slots;
}

void
limits_absorb(struct limits *dst, struct limits *src)
{
	const struct limit_server *o;
	struct limit_server       *sv;
	size_t                     i;
	int                        k;

	for (i = 0; i < LIMIT_SERVERS; i++) {
		o = &src->servers[i];
		if (o->key == 0 || (sv = limits_server(dst, o->key)) == NULL)
			continue;
		for (k = 0; k < 2; k++) {
			if (o->took[k] != 0)
				limits_slot_add(sv->took, sv->took_conn,
				    o->took_conn[k], o->took[k], 1);
			if (o->refused[k] != 0)
				limits_slot_add(sv->refused, sv->refused_conn,
				    o->refused_conn[k], o->refused[k], 0);
		}
	}
	if (src->ncases > 0) {
		if (dst->ncases + src->ncases > dst->cap) {
			dst->cap = dst->ncases + src->ncases;
			dst->cases = xrealloc(dst->cases,
			    dst->cap * sizeof *dst->cases);
		}
		memcpy(dst->cases + dst->ncases, src->cases,
		    src->ncases * sizeof *src->cases);
		dst->ncases += src->ncases;
	}
	dst->dropped += src->dropped;
	src->ncases = 0;
	src->dropped = 0;
	memset(src->servers, 0, sizeof src->servers);
}

void
limits_finish(struct limits *l, const struct sink_ops *sink, void *ctx,
    uint64_t *cap_hits)
{
	struct finding f;
	size_t         i;

	*cap_hits = l->dropped;
	for (i = 0; i < l->ncases; i++)
		if (limits_case_update(l, l->cases[i], &f) &&
		    sink->finding_update != NULL)
			sink->finding_update(ctx, &f);
}

/* A server's sizes: "s KEY TOOK CONN TOOK CONN REFUSED CONN REFUSED CONN". */
#define LIMITS_SERVER_FMT "s %" PRIx64 " %" PRIu64 " %" PRIu64 " %" PRIu64 \
	" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64

void
limits_export(const struct limits *l, const struct sink_ops *sink, void *ctx)
{
	const struct limit_server *sv;
	const struct limit_case   *c;
	const struct finding      *f;
	struct limits_row          row;
	char                       text[LIMITS_ROW_MAX];
	size_t                     i, k, n;
	int                        t, r;

	if (sink->limits_row == NULL)
		return;
	row.text = text;
	for (i = 0; i < LIMIT_SERVERS; i++) {
		sv = &l->servers[i];
		if (sv->key == 0)
			continue;
		/* The better of each two first: the text is the evidence's. */
		t = sv->took[1] != 0 && limits_slot_before(sv->took[1],
		    sv->took_conn[1], sv->took[0], sv->took_conn[0], 1);
		r = sv->refused[1] != 0 && limits_slot_before(sv->refused[1],
		    sv->refused_conn[1], sv->refused[0], sv->refused_conn[0], 0);
		snprintf(text, sizeof text, LIMITS_SERVER_FMT, sv->key,
		    sv->took[t], sv->took_conn[t], sv->took[!t],
		    sv->took_conn[!t], sv->refused[r], sv->refused_conn[r],
		    sv->refused[!r], sv->refused_conn[!r]);
		row.f = NULL;
		sink->limits_row(ctx, &row);
	}
	for (i = 0; i < l->ncases; i++) {
		c = l->cases[i];
		f = &c->f;
		n = limits_cat(text, sizeof text, 0, "c %" PRIx64 " %" PRIu64
		    " %d %d %d %d %" PRIu64 " %" PRIu64 " %" PRId64 " %d %d %"
		    PRIu64 " %" PRId64 " %" PRIu64 " %d %" PRIu64 " %" PRIu64
		    " %" PRIu64 " %" PRIu64 " %" PRIu64 " %d %" PRId64 " %"
		    PRId64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %d %d %" PRIu64
		    " %s %zu", c->server, f->conn_id, (int)f->rule,
		    (int)f->offending_rule, f->has_limit, (int)f->limit_basis,
		    c->own_min, c->own_max, f->limit_from_reason,
		    f->has_offending, f->offending_sender, f->offending_packet,
		    f->offending_frame_index, f->limit_size, f->limit_capped,
		    f->limit_wire, f->limit_inflated, f->took_elsewhere,
		    f->refused_elsewhere, f->disagree_size, f->disagree_took,
		    f->cand_first, f->cand_last, f->cand_below, f->later_frames,
		    f->remedy_limit, (int)f->remedy_source, f->remedy_set,
		    c->last_index, c->stack != NULL ? c->stack : "-", c->nfrag);
		for (k = 0; k < c->nfrag; k++)
			n = limits_cat(text, sizeof text, n, " %" PRIu64 " %"
			    PRIu64 " %" PRIu64, c->frag[k].index,
			    c->frag[k].pkt, c->frag[k].cum);
		row.f = f;
		sink->limits_row(ctx, &row);
	}
}

/* A number of text at *at, moved past it; -1 when there is none. */
static int
limits_num(const char **at, int hex, uint64_t *v)
{
	const char *p = *at;
	char       *end;
	int         neg;

	while (*p == ' ')
		p++;
	neg = *p == '-';
	if (!(hex ? (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') :
	    (p[neg] >= '0' && p[neg] <= '9')))
		return -1;
	*v = strtoull(p + neg, &end, hex ? 16 : 10);
	if (neg)
		*v = (uint64_t)-(int64_t)*v;
	*at = end;
	return 0;
}

/* n numbers of text into v; -1 when fewer are there. */
static int
limits_nums(const char **at, uint64_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (limits_num(at, 0, &v[i]) != 0)
			return -1;
	return 0;
}

int
limits_import(struct limits *l, const char *text, struct finding *f,
    uint64_t (*conn)(void *, uint64_t), void *ctx)
{
	const struct profile *p;
	struct limit_server  *sv;
	struct limit_case    *c;
	const char           *at = text + 1;
	char                  stack[64];
	uint64_t              key, v[28];
	size_t                len, k;
	int                   i;

	if ((text[0] != 's' && text[0] != 'c') ||
	    limits_num(&at, 1, &key) != 0)
		return -1;
	if (text[0] == 's') {
		if (limits_nums(&at, v, 8) != 0 || *at != '\0')
			return -1;
		/* A full table drops the server, as the analysis does. */
		if ((sv = limits_server(l, key)) == NULL)
			return 0;
		for (i = 0; i < 2; i++) {
			if (v[2 * i] != 0)
				limits_slot_add(sv->took, sv->took_conn,
				    conn(ctx, v[2 * i + 1]), v[2 * i], 1);
			if (v[4 + 2 * i] != 0)
				limits_slot_add(sv->refused, sv->refused_conn,
				    conn(ctx, v[4 + 2 * i + 1]), v[4 + 2 * i], 0);
		}
		return 0;
	}
	if (f == NULL || limits_nums(&at, v, 28) != 0 ||
	    v[1] >= RULE_COUNT || v[2] >= RULE_COUNT ||
	    v[4] >= LIMIT_BASIS__COUNT || v[25] >= LIMIT_SRC__COUNT)
		return -1;
	while (*at == ' ')
		at++;
	len = strcspn(at, " ");
	if (len == 0 || len >= sizeof stack)
		return -1;
	memcpy(stack, at, len);
	stack[len] = '\0';
	at += len;
	p = strcmp(stack, "-") != 0 ? profile_find(stack) : NULL;
	if (p == NULL && strcmp(stack, "-") != 0)
		return -1;
	f->conn_id = conn(ctx, v[0]);
	f->rule = (enum rule_id)v[1];
	f->offending_rule = (enum rule_id)v[2];
	f->has_limit = v[3] != 0;
	f->limit_basis = (enum limit_basis)v[4];
	f->limit_min = v[5];
	f->limit_max = v[6];
	f->limit_from_reason = (int64_t)v[7];
	f->has_offending = v[8] != 0;
	f->offending_sender = (int)v[9];
	f->offending_packet = v[10];
	f->offending_frame_index = (int64_t)v[11];
	f->limit_size = v[12];
	f->limit_capped = v[13] != 0;
	f->limit_wire = v[14];
	f->limit_inflated = v[15];
	f->took_elsewhere = v[16];
	f->refused_elsewhere = v[17];
	f->disagree_size = v[18];
	f->disagree_took = v[19] != 0;
	f->cand_first = (int64_t)v[20];
	f->cand_last = (int64_t)v[21];
	f->cand_below = v[22];
	f->later_frames = v[23];
	f->remedy_limit = v[24];
	f->remedy_source = (enum limit_source)v[25];
	f->remedy_set = v[26] != 0;
	f->kind = FINDING_CLOSE;
	c = xcalloc(1, sizeof *c);
	c->server = key;
	c->stack = p != NULL ? p->name : NULL;
	c->own_min = f->limit_min;
	c->own_max = f->limit_max;
	c->last_index = v[27];
	if (limits_num(&at, 0, &key) != 0 || key > LIMIT_FRAGS)
		goto bad;
	c->nfrag = (size_t)key;
	for (k = 0; k < c->nfrag; k++) {
		if (limits_nums(&at, v, 3) != 0)
			goto bad;
		c->frag[k].index = v[0];
		c->frag[k].pkt = v[1];
		c->frag[k].cum = v[2];
	}
	if (*at != '\0' || l->ncases >= LIMIT_CASES_MAX)
		goto bad;
	if (l->ncases == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->cases = xrealloc(l->cases, l->cap * sizeof *l->cases);
	}
	l->cases[l->ncases++] = c;
	f->update_slot = l->ncases;
	c->f = *f;
	return 0;
bad:
	free(c);
	return -1;
}
