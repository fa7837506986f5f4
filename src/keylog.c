/*
 * keylog: the NSS key log parser and its table by client random (see
 * keylog.h). Entries are kept in one array; an open-addressed index of
 * 4-byte slots, at most half full, finds them. A source's malformed
 * lines are told once it is read, so that a file that is not a key log
 * at all costs one line.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "keylog.h"
#include "pcapng-secrets.h"
#include "wsautopsy.h"

struct keylog {
	struct keylog_entry *ents;
	size_t               cap;      /* entries allocated */
	uint32_t            *idx;      /* entry + 1 by hash; 0 empty */
	size_t               size;     /* slots, a power of two; 0 none */
	char               **sources;
	size_t               nsources;
	struct keylog_stats  st;
};

/* What one source's reading found, for the lines told at its end. */
struct keylog_read {
	const char *source;
	uint64_t    lineno, entries, malformed, capped;
	uint64_t    bad_line[KEYLOG_WARN_LINES];
	const char *bad_why[KEYLOG_WARN_LINES];
};

static const struct {
	const char        *label;
	enum keylog_secret which;
} keylog_labels[] = {
	{ "CLIENT_RANDOM", KEYLOG_MASTER },
	{ "CLIENT_HANDSHAKE_TRAFFIC_SECRET", KEYLOG_CLIENT_HS },
	{ "SERVER_HANDSHAKE_TRAFFIC_SECRET", KEYLOG_SERVER_HS },
	{ "CLIENT_TRAFFIC_SECRET_0", KEYLOG_CLIENT_AP },
	{ "SERVER_TRAFFIC_SECRET_0", KEYLOG_SERVER_AP },
};

static size_t       keylog_hash(const uint8_t *);
static struct keylog_entry *keylog_slot(struct keylog *, const uint8_t *,
		int);
static int          keylog_nibble(char);
static int          keylog_hex(const char *, size_t, uint8_t *, size_t);
static const char  *keylog_line(struct keylog *, struct keylog_read *,
		const char *, size_t);
static void         keylog_bad(struct keylog_read *, const char *);
static void         keylog_source_end(struct keylog *, struct keylog_read *);
static const char  *keylog_source(struct keylog *, const char *);

struct keylog *
keylog_new(void)
{
	return xcalloc(1, sizeof(struct keylog));
}

void
keylog_free(struct keylog *kl)
{
	size_t i;

	if (kl == NULL)
		return;
	for (i = 0; i < kl->nsources; i++)
		free(kl->sources[i]);
	free(kl->sources);
	free(kl->ents);
	free(kl->idx);
	free(kl);
}

const struct keylog_stats *
keylog_stats(const struct keylog *kl)
{
	return &kl->st;
}

/* Over all 32 bytes: a hostile key log may share any prefix. */
static size_t
keylog_hash(const uint8_t *r)
{
	uint64_t h = 1469598103934665603ULL;
	int      i;

	for (i = 0; i < 32; i++)
		h = (h ^ r[i]) * 1099511628211ULL;
	return (size_t)(h ^ h >> 29);
}

/* The slot of a random, or the empty slot where it would go. */
static uint32_t *
keylog_probe(const struct keylog *kl, const uint8_t *r)
{
	size_t mask = kl->size - 1, i;

	for (i = keylog_hash(r) & mask;; i = (i + 1) & mask)
		if (kl->idx[i] == 0 ||
		    memcmp(kl->ents[kl->idx[i] - 1].random, r, 32) == 0)
			return &kl->idx[i];
}

/*
 * The entry of a random; with add, a new one when there is none (NULL
 * past the cap). Entries move when the array grows: what keylog_find
 * returned is valid until the next keylog_add.
 */
static struct keylog_entry *
keylog_slot(struct keylog *kl, const uint8_t *r, int add)
{
	uint32_t *slot;
	size_t    i;

	if (kl->size > 0 && *(slot = keylog_probe(kl, r)) != 0)
		return &kl->ents[*slot - 1];
	if (!add || kl->st.entries >= KEYLOG_MAX_ENTRIES)
		return NULL;
	if (kl->st.entries == kl->cap) {
		kl->cap = kl->cap ? kl->cap * 2 : 16;
		if (kl->cap > KEYLOG_MAX_ENTRIES)
			kl->cap = KEYLOG_MAX_ENTRIES;
		kl->ents = xrealloc(kl->ents, kl->cap * sizeof *kl->ents);
	}
	if (kl->size == 0 || kl->st.entries + 1 > kl->size / 2) {
		free(kl->idx);
		kl->size = kl->size ? kl->size * 2 : 64;
		kl->idx = xcalloc(kl->size, sizeof *kl->idx);
		for (i = 0; i < kl->st.entries; i++)
			*keylog_probe(kl, kl->ents[i].random) = (uint32_t)i + 1;
	}
	slot = keylog_probe(kl, r);
	memset(&kl->ents[kl->st.entries], 0, sizeof *kl->ents);
	memcpy(kl->ents[kl->st.entries].random, r, 32);
	*slot = (uint32_t)++kl->st.entries;
	return &kl->ents[*slot - 1];
}

const struct keylog_entry *
keylog_find(const struct keylog *kl, const uint8_t random[32])
{
	if (kl == NULL)
		return NULL;
	return keylog_slot((struct keylog *)kl, random, 0);
}

/* The value of a hex digit, either case; -1 if not one. */
static int
keylog_nibble(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	    (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* n hex digits into n/2 bytes of out (at most outlen); -1 if not hex. */
static int
keylog_hex(const char *s, size_t n, uint8_t *out, size_t outlen)
{
	size_t i;
	int    hi, lo;

	if (n % 2 != 0 || n / 2 > outlen)
		return -1;
	for (i = 0; i < n; i += 2) {
		hi = keylog_nibble(s[i]);
		lo = keylog_nibble(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* The next space-separated field of [*p, e), or NULL. */
static const char *
keylog_field(const char **p, const char *e, size_t *len)
{
	const char *s = *p;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	*p = s;
	while (*p < e && **p != ' ' && **p != '\t')
		(*p)++;
	*len = (size_t)(*p - s);
	return *len > 0 ? s : NULL;
}

/*
 * One line, without its newline. NULL when it was used or skipped, else
 * why it is malformed.
 */
static const char *
keylog_line(struct keylog *kl, struct keylog_read *rd, const char *s,
    size_t n)
{
	const char          *e = s + n, *lab, *cr, *sec, *p = s;
	size_t               ll, cl, sl, i;
	uint8_t              r[32], v[KEYLOG_SECRET_MAX];
	struct keylog_entry *ke;

	if (n > 0 && s[n - 1] == '\r')
		e--;
	if ((lab = keylog_field(&p, e, &ll)) == NULL || *lab == '#')
		return NULL;
	for (i = 0; i < sizeof keylog_labels / sizeof keylog_labels[0]; i++)
		if (strlen(keylog_labels[i].label) == ll &&
		    memcmp(keylog_labels[i].label, lab, ll) == 0)
			break;
	cr = keylog_field(&p, e, &cl);
	sec = keylog_field(&p, e, &sl);
	if (i == sizeof keylog_labels / sizeof keylog_labels[0]) {
		/* Another label of the format (EXPORTER_SECRET...): skipped.
		 * Anything else is not a key log line. */
		for (i = 0; i < ll; i++)
			if (!((lab[i] >= 'A' && lab[i] <= 'Z') || lab[i] == '_' ||
			    (lab[i] >= '0' && lab[i] <= '9')))
				return "not a key log line";
		return cr != NULL && sec != NULL ? NULL : "not a key log line";
	}
	if (cr == NULL || sec == NULL || keylog_field(&p, e, &ll) != NULL)
		return "not LABEL CLIENT_RANDOM SECRET";
	if (cl != 64 || keylog_hex(cr, cl, r, sizeof r) != 0)
		return "the client random is not 64 hex digits";
	if (keylog_hex(sec, sl, v, sizeof v) != 0 ||
	    (keylog_labels[i].which == KEYLOG_MASTER && sl != 96) ||
	    (sl != 64 && sl != 96))
		return "the secret is not 32 or 48 bytes of hex";
	if ((ke = keylog_slot(kl, r, 1)) == NULL) {
		rd->capped++;
		kl->st.capped++;
		return NULL;
	}
	if (ke->source == NULL) {
		ke->source = rd->source;
		rd->entries++;
	}
	memcpy(ke->secret[keylog_labels[i].which], v, sl / 2);
	ke->len[keylog_labels[i].which] = (uint8_t)(sl / 2);
	return NULL;
}

static void
keylog_bad(struct keylog_read *rd, const char *why)
{
	if (rd->malformed < KEYLOG_WARN_LINES) {
		rd->bad_line[rd->malformed] = rd->lineno;
		rd->bad_why[rd->malformed] = why;
	}
	rd->malformed++;
}

/* The lines a source's reading has to tell. */
static void
keylog_source_end(struct keylog *kl, struct keylog_read *rd)
{
	char     name[512];
	uint64_t i;

	kl->st.malformed += rd->malformed;
	esc_terminal_str(rd->source, name, sizeof name);
	if (rd->malformed > 0 && rd->entries == 0 && rd->capped == 0) {
		wsa_warn("%s: not a TLS key log (none of its %" PRIu64 " lines "
		    "is LABEL CLIENT_RANDOM SECRET)", name, rd->lineno);
		return;
	}
	for (i = 0; i < rd->malformed && i < KEYLOG_WARN_LINES; i++)
		wsa_warn("%s:%" PRIu64 ": %s; line skipped", name,
		    rd->bad_line[i], rd->bad_why[i]);
	if (rd->malformed > KEYLOG_WARN_LINES)
		wsa_warn("%s: %" PRIu64 " more malformed lines skipped", name,
		    rd->malformed - KEYLOG_WARN_LINES);
	if (rd->capped > 0)
		wsa_warn("%s: %" PRIu64 " lines not kept: the key log holds "
		    "at most %d client randoms", name, rd->capped,
		    KEYLOG_MAX_ENTRIES);
}

/* The source's name, kept as long as the key log. */
static const char *
keylog_source(struct keylog *kl, const char *source)
{
	kl->sources = xrealloc(kl->sources, (kl->nsources + 1) *
	    sizeof *kl->sources);
	return kl->sources[kl->nsources++] = xstrdup(source);
}

void
keylog_add(struct keylog *kl, const char *source, const uint8_t *p, size_t n)
{
	struct keylog_read rd;
	const char        *s = (const char *)p, *e = s + n, *nl, *why;
	size_t             len;

	memset(&rd, 0, sizeof rd);
	rd.source = keylog_source(kl, source);
	while (s < e) {
		nl = memchr(s, '\n', (size_t)(e - s));
		len = nl != NULL ? (size_t)(nl - s) : (size_t)(e - s);
		rd.lineno++;
		kl->st.lines++;
		if (len > KEYLOG_MAX_LINE) {
			kl->st.long_lines++;
			keylog_bad(&rd, "longer than any key log line");
		} else if ((why = keylog_line(kl, &rd, s, len)) != NULL)
			keylog_bad(&rd, why);
		s += len + (nl != NULL);
	}
	keylog_source_end(kl, &rd);
}

int
keylog_load_file(struct keylog *kl, const char *path, char *err,
    size_t errlen)
{
	struct keylog_read rd;
	FILE              *f;
	char               buf[KEYLOG_MAX_LINE + 2], name[512];
	const char        *why;
	size_t             len;
	int                skipping = 0;

	if ((f = fopen(path, "r")) == NULL) {
		esc_terminal_str(path, name, sizeof name);
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	memset(&rd, 0, sizeof rd);
	rd.source = keylog_source(kl, path);
	while (fgets(buf, sizeof buf, f) != NULL) {
		/* A NUL inside a line ends it here: malformed all the same. */
		len = strlen(buf);
		if (skipping) {
			skipping = len > 0 && buf[len - 1] != '\n' && !feof(f);
			continue;
		}
		rd.lineno++;
		kl->st.lines++;
		if (len > 0 && buf[len - 1] == '\n')
			len--;
		else if (!feof(f)) {
			/* Past KEYLOG_MAX_LINE: the rest of it is skipped. */
			skipping = 1;
			kl->st.long_lines++;
			keylog_bad(&rd, "longer than any key log line");
			continue;
		}
		if ((why = keylog_line(kl, &rd, buf, len)) != NULL)
			keylog_bad(&rd, why);
	}
	if (ferror(f)) {
		esc_terminal_str(path, name, sizeof name);
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	keylog_source_end(kl, &rd);
	return 0;
}

struct keylog_dsb {
	struct keylog *kl;
	char           source[600];
};

static int
keylog_dsb_block(void *arg, uint32_t type, const uint8_t *data, size_t len)
{
	struct keylog_dsb *d = arg;

	if (type == PCAPNG_SECRETS_TLS_KEYLOG)
		keylog_add(d->kl, d->source, data, len);
	return 0;
}

int
keylog_load_dsb(struct keylog *kl, const char *path, char *err,
    size_t errlen)
{
	struct keylog_dsb d;
	int               rc;

	d.kl = kl;
	snprintf(d.source, sizeof d.source, "%s (decryption secrets block)",
	    path);
	rc = pcapng_secrets_walk(path, keylog_dsb_block, &d, err, errlen);
	return rc == PCAPNG_SECRETS_NOFILE ? rc : rc < 0 ? -1 : 0;
}
