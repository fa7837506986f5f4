/*
 * tls: the TLS stage (see tls.h). Per side: records are reassembled
 * across segments (several records in a segment are taken one by one),
 * handshake messages across records; the clear hellos give the keys'
 * lookup and the connection's description; records are decrypted with
 * tls-decrypt.c and their plaintext passed on with its provenance.
 *
 * TLS 1.3 encrypted handshake: decrypted with the handshake secrets when
 * the key log has them, else skipped: records that do not decrypt with
 * the application secret before the first that does are the handshake.
 * Sequence numbers are implicit, so a side that lost bytes in a gap is
 * not decrypted past it.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "tls-decrypt.h"
#include "tls.h"

#define TLS_PLAIN_MAX  16384
#define TLS_BODY_MAX13 (TLS_PLAIN_MAX + 256)    /* RFC 8446 5.2 */
#define TLS_BODY_MAX12 (TLS_PLAIN_MAX + 2048)   /* RFC 5246 6.2.3 */
#define TLS_HS_MAX     65536      /* a handshake message kept whole */
#define TLS_TRIALS     32         /* 1.3 records tried before giving up */
#define TLS_RSPANS     64         /* records remembered per side, for frames */

/* A run of a record's bytes that came in one packet. */
struct tls_chunk {
	size_t     at;          /* the record byte (header included) it starts */
	uint64_t   pkt;
	struct wts ts;
};

enum tls_phase {
	TLS_CLEAR,      /* before a key change: records in the clear */
	TLS_HANDSHAKE,  /* 1.3: encrypted handshake; trials of the app key */
	TLS_APP,        /* decrypting application data */
	TLS_LOST        /* nothing more is read of this side */
};

struct tls_side {
	enum tls_phase    phase;
	int               encrypted;   /* 1.2: after its ChangeCipherSpec */
	uint8_t           hdr[5];
	size_t            hdr_len;
	size_t            body_len;    /* of the record being assembled */
	uint8_t          *rec;         /* its body, when split over segments */
	size_t            rec_len;
	struct tls_chunk *ch;          /* the record's runs by packet */
	size_t            nch, chcap;
	uint8_t          *out;         /* plaintext of a record */
	uint64_t          poff;        /* plaintext offset passed on */
	struct tls_dec    dec;         /* application (1.2: the only) keys */
	struct tls_dec    hs;          /* 1.3 handshake keys */
	uint8_t          *hm;          /* handshake messages being assembled */
	size_t            hm_len, hm_cap;
	int               switch_app;  /* 1.3 Finished read: app keys next */
	int               key_update;  /* 1.3 KeyUpdate read: next secret */
	unsigned          trials;
	uint64_t          trial_pkt;   /* the first record that failed */
	struct wts        trial_ts;
	int               hm_bad;      /* handshake parsing given up */
	uint64_t          nrec;        /* records read */
	/* Where the latest records' plaintext went: a ring, on first use. */
	struct tls_rspan {
		uint64_t rec, start, end;
	}                *rs;
	uint64_t          nrs;
};

struct tls_stage {
	const struct keylog       *kl;
	const struct tls_ops      *ops;
	void                      *arg;
	struct stage               next;
	struct tls_info            info;
	int                        client;      /* side of the ClientHello */
	uint8_t                    cr[32], sr[32];
	int                        have_cr, have_sr;
	uint16_t                   version;
	const struct tls_suite    *su;
	int                        etm;
	const struct keylog_entry *key;
	struct tls_side            side[2];
};

static void tls_data(void *, int, uint64_t, const uint8_t *, size_t, uint64_t,
		struct wts);
static void tls_gap(void *, int, uint64_t, uint64_t, uint64_t, struct wts);
static void tls_end(void *, int, int, uint64_t, struct wts);
static void tls_record(struct tls_stage *, int, const uint8_t *, const uint8_t *,
		size_t);
static void tls_handshake(struct tls_stage *, int, const uint8_t *, size_t,
		uint64_t, struct wts);
static void tls_hs_message(struct tls_stage *, int, const uint8_t *, size_t);
static void tls_client_hello(struct tls_stage *, const uint8_t *, size_t);
static void tls_server_hello(struct tls_stage *, const uint8_t *, size_t);
static void tls_extensions(struct tls_stage *, int, const uint8_t *, size_t);
static void tls_keys(struct tls_stage *);
static void tls_pass(struct tls_stage *, int, size_t, const uint8_t *, size_t);
static void tls_alert(struct tls_stage *, int, const uint8_t *, size_t);
static void tls_lose(struct tls_stage *, int, enum rule_id, uint64_t,
		struct wts, const char *, ...) __attribute__((format(printf, 6, 7)));
static void tls_chunk_add(struct tls_side *, size_t, uint64_t, struct wts);

static const struct stage_ops tls_stage_ops = { tls_data, tls_gap, tls_end };

/* The ServerHello random of a HelloRetryRequest (RFC 8446 4.1.3). */
static const uint8_t tls_hrr[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02,
	0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c
};

static const struct {
	int         desc;
	const char *name;
} tls_alerts[] = {
	{ 0, "close_notify" }, { 10, "unexpected_message" },
	{ 20, "bad_record_mac" }, { 22, "record_overflow" },
	{ 40, "handshake_failure" }, { 42, "bad_certificate" },
	{ 43, "unsupported_certificate" }, { 44, "certificate_revoked" },
	{ 45, "certificate_expired" }, { 46, "certificate_unknown" },
	{ 47, "illegal_parameter" }, { 48, "unknown_ca" },
	{ 49, "access_denied" }, { 50, "decode_error" },
	{ 51, "decrypt_error" }, { 70, "protocol_version" },
	{ 71, "insufficient_security" }, { 80, "internal_error" },
	{ 86, "inappropriate_fallback" }, { 90, "user_canceled" },
	{ 100, "no_renegotiation" }, { 109, "missing_extension" },
	{ 110, "unsupported_extension" }, { 112, "unrecognized_name" },
	{ 113, "bad_certificate_status_response" },
	{ 115, "unknown_psk_identity" }, { 116, "certificate_required" },
	{ 120, "no_application_protocol" },
};

const char *
tls_alert_name(int desc)
{
	size_t i;

	for (i = 0; i < sizeof tls_alerts / sizeof tls_alerts[0]; i++)
		if (tls_alerts[i].desc == desc)
			return tls_alerts[i].name;
	return NULL;
}

static uint32_t
tls_get(const uint8_t *p, int n)
{
	uint32_t v = 0;
	int      i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

int
tls_looks_like_hello(const uint8_t *p, size_t n)
{
	/* A handshake record of SSL 3.0 to TLS 1.2 framing, a ClientHello. */
	return n >= 6 && p[0] == 22 && p[1] == 3 && p[2] <= 4 &&
	    tls_get(p + 3, 2) >= 4 && p[5] == 1;
}

int
tls_looks_like_record(const uint8_t *p, size_t n)
{
	return n >= 5 && (p[0] == 23 || p[0] == 21) && p[1] == 3 &&
	    p[2] == 3 && tls_get(p + 3, 2) > 0 &&
	    tls_get(p + 3, 2) <= TLS_BODY_MAX12;
}

struct tls_stage *
tls_stage_new(const struct keylog *kl, const struct tls_ops *ops, void *arg,
    int client)
{
	struct tls_stage *t = xcalloc(1, sizeof *t);

	t->kl = kl;
	t->ops = ops;
	t->arg = arg;
	t->client = client;
	return t;
}

struct stage
tls_stage(struct tls_stage *t)
{
	struct stage st = { &tls_stage_ops, t };

	return st;
}

struct stage *
tls_stage_next(struct tls_stage *t)
{
	return &t->next;
}

const struct tls_info *
tls_stage_info(const struct tls_stage *t)
{
	return &t->info;
}

void
tls_stage_free(struct tls_stage *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < 2; i++) {
		tls_dec_free(&t->side[i].dec);
		tls_dec_free(&t->side[i].hs);
		free(t->side[i].rec);
		free(t->side[i].ch);
		free(t->side[i].out);
		free(t->side[i].hm);
		free(t->side[i].rs);
	}
	free(t);
}

/*
 * A side is given up: the rest of it is a gap to the next stage (and,
 * with a rule, a finding at the packet where it happened).
 */
static void
tls_lose(struct tls_stage *t, int side, enum rule_id rule, uint64_t pkt,
    struct wts ts, const char *fmt, ...)
{
	struct tls_side   *sd = &t->side[side];
	struct finding     f;
	va_list            ap;

	if (sd->phase == TLS_LOST)
		return;
	if (sd->phase == TLS_APP || sd->phase == TLS_HANDSHAKE)
		t->next.ops->gap(t->next.arg, side, sd->poff, 1, pkt, ts);
	sd->phase = TLS_LOST;
	sd->hdr_len = sd->rec_len = 0;
	if (rule == RULE_NONE)
		return;
	rule_capture_finding(&f, rule);
	f.packet = pkt;
	f.time = ts;
	va_start(ap, fmt);
	vsnprintf(f.detail, sizeof f.detail, fmt, ap);
	va_end(ap);
	t->ops->finding(t->arg, side, &f);
}

static void
tls_chunk_add(struct tls_side *sd, size_t at, uint64_t pkt, struct wts ts)
{
	if (sd->nch > 0 && sd->ch[sd->nch - 1].pkt == pkt)
		return;
	if (sd->nch == sd->chcap) {
		/* At most one run a byte: bounded by the record's size. */
		sd->chcap = sd->chcap ? sd->chcap * 2 : 8;
		sd->ch = xrealloc(sd->ch, sd->chcap * sizeof *sd->ch);
	}
	sd->ch[sd->nch].at = at;
	sd->ch[sd->nch].pkt = pkt;
	sd->ch[sd->nch].ts = ts;
	sd->nch++;
}

static void
tls_data(void *arg, int side, uint64_t off, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	struct tls_stage *t = arg;
	struct tls_side  *sd = &t->side[side];
	size_t            k, max;

	(void)off;
	while (n > 0 && sd->phase != TLS_LOST) {
		if (sd->hdr_len < 5) {
			if (sd->hdr_len == 0)
				sd->nch = 0;
			tls_chunk_add(sd, sd->hdr_len, pkt, ts);
			k = 5 - sd->hdr_len < n ? 5 - sd->hdr_len : n;
			memcpy(sd->hdr + sd->hdr_len, p, k);
			sd->hdr_len += k;
			p += k;
			n -= k;
			if (sd->hdr_len < 5)
				return;
			sd->body_len = tls_get(sd->hdr + 3, 2);
			sd->rec_len = 0;
			max = t->version == 0x0304 ? TLS_BODY_MAX13 :
			    TLS_BODY_MAX12;
			if (sd->hdr[0] < 20 || sd->hdr[0] > 24 ||
			    sd->hdr[1] != 3 || sd->body_len > max) {
				/* Picked up mid-stream, a side may start
				 * inside a record: nothing to say then. */
				tls_lose(t, side, t->have_cr ?
				    RULE_TLS_MALFORMED : RULE_NONE, pkt, ts,
				    "record header %02x %02x%02x, length %zu "
				    "(at most %zu): not a TLS record",
				    sd->hdr[0], sd->hdr[1], sd->hdr[2],
				    sd->body_len, max);
				return;
			}
		}
		tls_chunk_add(sd, 5 + sd->rec_len, pkt, ts);
		if (sd->rec_len == 0 && n >= sd->body_len) {
			/* The whole body here: decrypted from the packet. */
			k = sd->body_len;
			tls_record(t, side, sd->hdr, p, k);
		} else {
			if (sd->rec == NULL)
				sd->rec = xmalloc(TLS_BODY_MAX12);
			k = sd->body_len - sd->rec_len < n ?
			    sd->body_len - sd->rec_len : n;
			memcpy(sd->rec + sd->rec_len, p, k);
			sd->rec_len += k;
			if (sd->rec_len < sd->body_len) {
				return;
			}
			tls_record(t, side, sd->hdr, sd->rec, sd->body_len);
		}
		p += k;
		n -= k;
		sd->hdr_len = 0;
		sd->rec_len = 0;
	}
}

/* The record's plaintext, plaintext byte 0 being record byte at. */
static void
tls_pass(struct tls_stage *t, int side, size_t at, const uint8_t *pt, size_t n)
{
	struct tls_side  *sd = &t->side[side];
	struct tls_rspan *r;
	size_t            i, b;

	if (n == 0)
		return;
	if (sd->rs == NULL)
		sd->rs = xmalloc(TLS_RSPANS * sizeof *sd->rs);
	r = &sd->rs[sd->nrs++ % TLS_RSPANS];
	r->rec = sd->nrec;
	r->start = sd->poff;
	r->end = sd->poff + n;
	/* The runs are in order and cover the record: each gives a piece. */
	for (i = 0; i < sd->nch && n > 0; i++) {
		b = i + 1 < sd->nch ? sd->ch[i + 1].at : (size_t)-1;
		if (b <= at)
			continue;
		b = b - at < n ? b - at : n;
		t->next.ops->data(t->next.arg, side, sd->poff, pt, b,
		    sd->ch[i].pkt, sd->ch[i].ts);
		sd->poff += b;
		pt += b;
		n -= b;
		at += b;
	}
}

void
tls_stage_records(const struct tls_stage *t, int side, uint64_t start,
    uint64_t end, char *out, size_t len)
{
	const struct tls_side  *sd = &t->side[side];
	const struct tls_rspan *r;
	uint64_t                i, n, first = 0, last = 0;

	out[0] = '\0';
	n = sd->nrs < TLS_RSPANS ? sd->nrs : TLS_RSPANS;
	for (i = sd->nrs - n; i < sd->nrs; i++) {
		r = &sd->rs[i % TLS_RSPANS];
		if (r->end <= start || r->start >= end)
			continue;
		if (first == 0)
			first = r->rec;
		last = r->rec;
	}
	/* Its first bytes' record forgotten: not a partial answer. */
	if (first == 0 || (n > 0 && sd->rs[(sd->nrs - n) % TLS_RSPANS].start >
	    start))
		return;
	if (first == last)
		snprintf(out, len, "%" PRIu64, first);
	else
		snprintf(out, len, "%" PRIu64 "-%" PRIu64, first, last);
}

static void
tls_alert(struct tls_stage *t, int side, const uint8_t *p, size_t n)
{
	struct tls_alert *a = &t->info.alert[side];

	if (n < 2 || a->level != 0)
		return;
	a->level = p[0];
	a->desc = p[1];
	a->pkt = t->side[side].ch[t->side[side].nch - 1].pkt;
	a->ts = t->side[side].ch[t->side[side].nch - 1].ts;
}

/* One whole record of a side: hdr its header, body its n bytes. */
static void
tls_record(struct tls_stage *t, int side, const uint8_t *hdr,
    const uint8_t *body, size_t n)
{
	struct tls_side *sd = &t->side[side];
	struct tls_dec  *d = &sd->dec;
	size_t           len, skip;
	uint8_t          type = hdr[0];
	uint64_t         pkt = sd->ch[0].pkt;
	struct wts       ts = sd->ch[0].ts;
	int              ok;

	sd->nrec++;
	if (type == 20) {                           /* ChangeCipherSpec */
		if (t->version != 0x0304 && !sd->encrypted) {
			sd->encrypted = 1;
			d->seq = 0;
			sd->phase = d->ready ? TLS_APP : TLS_CLEAR;
		}
		return;
	}
	if (!sd->encrypted && !(t->version == 0x0304 && type == 23)) {
		if (type == 22)
			tls_handshake(t, side, body, n, pkt, ts);
		else if (type == 21)
			tls_alert(t, side, body, n);
		return;
	}
	if (sd->phase != TLS_APP && sd->phase != TLS_HANDSHAKE)
		return;                      /* no keys for this side */
	if (sd->out == NULL)
		sd->out = xmalloc(TLS_BODY_MAX12);
	ok = 0;
	if (sd->phase == TLS_HANDSHAKE) {
		if (sd->hs.ready && tls_dec_record(&sd->hs, hdr, body, n,
		    sd->out, &len, &skip, &type) == 0)
			ok = 2;
		else if (d->ready && tls_dec_record(d, hdr, body, n, sd->out,
		    &len, &skip, &type) == 0) {
			ok = 1;
			sd->phase = TLS_APP;
			sd->switch_app = 0;
		} else {
			/* A handshake record: skipped, unless none fits. */
			if (sd->trials++ == 0) {
				sd->trial_pkt = pkt;
				sd->trial_ts = ts;
			}
			if (sd->trials >= TLS_TRIALS || (sd->hs.ready &&
			    sd->trials == 1 && !sd->switch_app))
				tls_lose(t, side, RULE_TLS_DECRYPT_FAILED,
				    sd->trial_pkt, sd->trial_ts, "the %s's "
				    "first encrypted record (packet %" PRIu64
				    ") does not decrypt with the secrets of "
				    "%s", side == t->client ? "client" :
				    "server", sd->trial_pkt, t->info.keylog);
			return;
		}
	} else if (tls_dec_record(d, hdr, body, n, sd->out, &len, &skip,
	    &type) == 0)
		ok = 1;
	if (!ok) {
		tls_lose(t, side, RULE_TLS_DECRYPT_FAILED, pkt, ts, "record %"
		    PRIu64 " of the %s does not decrypt with the secrets of "
		    "%s", d->seq, side == t->client ? "client" : "server",
		    t->info.keylog);
		return;
	}
	if (ok == 1) {
		t->info.decrypted = 1;
		t->info.records[side]++;
	}
	switch (type) {
	case 23:
		if (ok == 1)
			tls_pass(t, side, 5 + skip, sd->out, len);
		break;
	case 22:
		tls_handshake(t, side, sd->out, len, pkt, ts);
		break;
	case 21:
		tls_alert(t, side, sd->out, len);
		break;
	}
	if (sd->switch_app && sd->phase == TLS_HANDSHAKE) {
		sd->switch_app = 0;
		sd->phase = TLS_APP;
	}
	if (sd->key_update) {
		sd->key_update = 0;
		if (tls_dec_update13(d) != 0)
			tls_lose(t, side, RULE_TLS_DECRYPT_FAILED, pkt, ts,
			    "the KeyUpdate's next secret could not be "
			    "derived");
	}
}

/* Handshake bytes of a side, clear or decrypted: whole messages out. */
static void
tls_handshake(struct tls_stage *t, int side, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	struct tls_side *sd = &t->side[side];
	size_t           mlen, used;

	if (sd->hm_bad || n == 0)
		return;
	if (sd->hm_len + n > sd->hm_cap) {
		if (sd->hm_len + n > TLS_HS_MAX + 4) {
			sd->hm_bad = 1;
			if (sd->phase == TLS_CLEAR && !sd->encrypted)
				tls_lose(t, side, RULE_TLS_MALFORMED, pkt, ts,
				    "a handshake message longer than %d "
				    "bytes", TLS_HS_MAX);
			return;
		}
		sd->hm_cap = sd->hm_len + n;
		sd->hm = xrealloc(sd->hm, sd->hm_cap);
	}
	memcpy(sd->hm + sd->hm_len, p, n);
	sd->hm_len += n;
	used = 0;
	while (sd->hm_len - used >= 4) {
		mlen = tls_get(sd->hm + used + 1, 3);
		if (mlen > TLS_HS_MAX) {
			sd->hm_bad = 1;
			if (sd->phase == TLS_CLEAR && !sd->encrypted)
				tls_lose(t, side, RULE_TLS_MALFORMED, pkt, ts,
				    "a handshake message of %zu bytes (at "
				    "most %d are read)", mlen, TLS_HS_MAX);
			return;
		}
		if (sd->hm_len - used < 4 + mlen)
			break;
		tls_hs_message(t, side, sd->hm + used, 4 + mlen);
		used += 4 + mlen;
	}
	memmove(sd->hm, sd->hm + used, sd->hm_len - used);
	sd->hm_len -= used;
}

static void
tls_hs_message(struct tls_stage *t, int side, const uint8_t *m, size_t n)
{
	struct tls_side *sd = &t->side[side];

	switch (m[0]) {
	case 1:
		if (side == t->client && !t->have_cr)
			tls_client_hello(t, m + 4, n - 4);
		break;
	case 2:
		if (side != t->client)
			tls_server_hello(t, m + 4, n - 4);
		break;
	case 8:                              /* 1.3 EncryptedExtensions */
		if (n >= 6 && tls_get(m + 4, 2) <= n - 6)
			tls_extensions(t, 8, m + 6, tls_get(m + 4, 2));
		break;
	case 20:                             /* Finished */
		sd->switch_app = 1;
		break;
	case 24:                             /* KeyUpdate */
		if (sd->phase == TLS_APP && t->version == 0x0304)
			sd->key_update = 1;
		break;
	}
}

/* The extensions of a hello (type 1, 2) or EncryptedExtensions (8). */
static void
tls_extensions(struct tls_stage *t, int type, const uint8_t *p, size_t n)
{
	size_t   i, et, el, j, k, o;
	char    *a = t->info.alpn;

	for (i = 0; i + 4 <= n; i += 4 + el) {
		et = tls_get(p + i, 2);
		el = tls_get(p + i + 2, 2);
		if (el > n - i - 4)
			return;
		const uint8_t *e = p + i + 4;

		if (et == 0 && type == 1 && el >= 5 && e[2] == 0) {
			/* server_name: the first host_name. */
			k = tls_get(e + 3, 2);
			k = k < el - 5 ? k : el - 5;
			k = k < sizeof t->info.sni - 1 ? k :
			    sizeof t->info.sni - 1;
			memcpy(t->info.sni, e + 5, k);
			t->info.sni[k] = '\0';
		} else if (et == 16 && el >= 2) {
			/* ALPN: the client's list, or the one chosen. */
			o = 0;
			for (j = 2; j < el && j + 1 + e[j] <= el; j += 1 + e[j]) {
				k = e[j];
				if (o + k + 2 > sizeof t->info.alpn)
					break;
				if (o > 0)
					a[o++] = ',';
				memcpy(a + o, e + j + 1, k);
				o += k;
			}
			a[o] = '\0';
			t->info.alpn_offered = type == 1;
		} else if (et == 43 && type == 2 && el == 2) {
			t->version = (uint16_t)tls_get(e, 2);
		} else if (et == 22 && type == 2) {
			t->etm = 1;
		}
	}
}

static void
tls_client_hello(struct tls_stage *t, const uint8_t *p, size_t n)
{
	size_t o = 34;

	if (n < 35)
		return;
	memcpy(t->cr, p + 2, 32);
	t->have_cr = 1;
	o += 1 + p[34];                      /* session id */
	if (o + 2 > n)
		return;
	o += 2 + tls_get(p + o, 2);          /* cipher suites */
	if (o + 1 > n)
		return;
	o += 1 + p[o];                       /* compression methods */
	if (o + 2 > n || tls_get(p + o, 2) > n - o - 2)
		return;
	tls_extensions(t, 1, p + o + 2, tls_get(p + o, 2));
}

static void
tls_server_hello(struct tls_stage *t, const uint8_t *p, size_t n)
{
	size_t   o = 34;
	uint16_t id;

	/* The first ServerHello stands; a HelloRetryRequest is not one. */
	if (n < 38 || t->have_sr || memcmp(p + 2, tls_hrr, 32) == 0)
		return;
	t->version = (uint16_t)tls_get(p, 2);
	memcpy(t->sr, p + 2, 32);
	t->have_sr = 1;
	o += 1 + p[34];
	if (o + 3 > n)
		return;
	id = (uint16_t)tls_get(p + o, 2);
	o += 3;
	if (o + 2 <= n && tls_get(p + o, 2) <= n - o - 2)
		tls_extensions(t, 2, p + o + 2, tls_get(p + o, 2));
	t->su = tls_suite_find(id);
	snprintf(t->info.cipher_hex, sizeof t->info.cipher_hex, "0x%04X",
	    (unsigned)id);
	t->info.cipher = t->su != NULL ? t->su->name : t->info.cipher_hex;
	t->info.version = t->version == 0x0304 ? "TLS 1.3" :
	    t->version == 0x0303 ? "TLS 1.2" : t->version == 0x0302 ?
	    "TLS 1.1" : t->version == 0x0301 ? "TLS 1.0" : t->version ==
	    0x0300 ? "SSL 3.0" : "unknown";
	tls_keys(t);
}

/* After the ServerHello: the connection's secrets, when known. */
static void
tls_keys(struct tls_stage *t)
{
	const struct keylog_entry *k;
	struct tls_side           *c = &t->side[t->client], *s =
	    &t->side[!t->client];

	if (!t->have_cr ||
	    (k = keylog_find(t->kl, t->cr)) == NULL || t->su == NULL)
		return;
	t->key = k;
	t->info.keylog = k->source;
	if (t->version == 0x0304 && t->su->tls13) {
		if (k->len[KEYLOG_CLIENT_HS] > 0)
			(void)tls_dec_init13(&c->hs, t->su,
			    k->secret[KEYLOG_CLIENT_HS], k->len[KEYLOG_CLIENT_HS]);
		if (k->len[KEYLOG_SERVER_HS] > 0)
			(void)tls_dec_init13(&s->hs, t->su,
			    k->secret[KEYLOG_SERVER_HS], k->len[KEYLOG_SERVER_HS]);
		if (k->len[KEYLOG_CLIENT_AP] > 0)
			(void)tls_dec_init13(&c->dec, t->su,
			    k->secret[KEYLOG_CLIENT_AP], k->len[KEYLOG_CLIENT_AP]);
		if (k->len[KEYLOG_SERVER_AP] > 0)
			(void)tls_dec_init13(&s->dec, t->su,
			    k->secret[KEYLOG_SERVER_AP], k->len[KEYLOG_SERVER_AP]);
		if ((c->dec.ready || c->hs.ready) && c->phase == TLS_CLEAR)
			c->phase = TLS_HANDSHAKE;
		if ((s->dec.ready || s->hs.ready) && s->phase == TLS_CLEAR)
			s->phase = TLS_HANDSHAKE;
	} else if (t->version == 0x0303 && !t->su->tls13 && t->have_sr &&
	    k->len[KEYLOG_MASTER] == 48) {
		(void)tls_dec_init12(&c->dec, &s->dec, t->su,
		    k->secret[KEYLOG_MASTER], t->cr, t->sr, t->etm);
	}
}

static void
tls_gap(void *arg, int side, uint64_t off, uint64_t len, uint64_t pkt,
    struct wts ts)
{
	struct tls_stage *t = arg;
	struct tls_side  *sd = &t->side[side];

	(void)off;
	if (sd->phase == TLS_APP || sd->phase == TLS_HANDSHAKE)
		tls_lose(t, side, RULE_TLS_GAP, pkt, ts, "%" PRIu64 " bytes "
		    "of the %s's records lost at packet %" PRIu64 "; the rest "
		    "of its records (from plaintext byte %" PRIu64 ") are not "
		    "decrypted", len, side == t->client ? "client" : "server",
		    pkt, sd->poff);
	else
		sd->phase = TLS_LOST;
}

static void
tls_end(void *arg, int side, int rst, uint64_t pkt, struct wts ts)
{
	struct tls_stage *t = arg;

	t->next.ops->end(t->next.arg, side, rst, pkt, ts);
}
