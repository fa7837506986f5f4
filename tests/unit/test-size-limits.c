/*
 * The bounds pass's evidence out and back (limits_export, limits_import):
 * evidence split between two shards and read back into one pass bounds a
 * 1009 as one pass over all of it does, whatever the order; equal sizes
 * of different connections keep the same two; rows this version did not
 * write are refused.
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

#include "rules.h"
#include "size-limits.h"

#define SERVER 0x1234

/* What a sink heard: rows' texts and the findings updated. */
struct heard {
	char           rows[64][LIMITS_ROW_MAX];
	struct finding closes[64];   /* the close of each row; NULL: none */
	int            has_close[64];
	size_t         nrows;
	struct finding updates[64];
	size_t         nupdates;
};

static void
heard_update(void *ctx, const struct finding *f)
{
	struct heard *h = ctx;

	assert_true(h->nupdates < 64);
	h->updates[h->nupdates++] = *f;
}

static void
heard_row(void *ctx, const struct limits_row *row)
{
	struct heard *h = ctx;

	assert_true(h->nrows < 64);
	snprintf(h->rows[h->nrows], sizeof h->rows[0], "%s", row->text);
	h->has_close[h->nrows] = row->f != NULL;
	if (row->f != NULL)
		h->closes[h->nrows] = *row->f;
	h->nrows++;
}

static const struct sink_ops heard_ops = {
	.finding_update = heard_update,
	.limits_row = heard_row,
};

/* Connection numbers as they are: the shards here share one numbering. */
static uint64_t
same_conn(void *ctx, uint64_t no)
{
	(void)ctx;
	return no;
}

/* A server's 1009 on connection conn: it refused size, took below. */
static void
keep_close(struct limits *l, uint64_t conn, uint64_t took, uint64_t size)
{
	struct finding    f;
	struct limit_frag frag = { 1, 100 + conn, { 0, 0 }, size };

	memset(&f, 0, sizeof f);
	f.conn_id = conn;
	f.kind = FINDING_CLOSE;
	f.class = CLASS_1009;
	f.code = 1009;
	f.sender = ROLE_SERVER;
	f.has_offending = 1;
	f.offending_packet = 100 + conn;
	f.offending_frame_index = 1;
	f.offending_sender = ROLE_CLIENT;
	f.offending_rule = RULE_MESSAGE_TOO_BIG;
	f.has_limit = 1;
	f.limit_basis = LIMIT_BASIS_PAYLOAD;
	f.limit_min = took;
	f.limit_max = size - 1;
	f.limit_from_reason = -1;
	f.limit_size = size;
	limits_remedy_size(&f, NULL);
	limits_render(&f);
	assert_int_equal(limits_keep(l, SERVER, &f, &frag, 1, NULL), 1);
}

/* Every row of h into l, as merge reads a shard's. */
static void
import_all(struct limits *l, const struct heard *h)
{
	struct finding f;
	size_t         i;

	for (i = 0; i < h->nrows; i++) {
		memset(&f, 0, sizeof f);
		if (h->has_close[i]) {
			memcpy(f.detail, h->closes[i].detail, sizeof f.detail);
			memcpy(f.remedy, h->closes[i].remedy, sizeof f.remedy);
			memcpy(f.matching_profiles, h->closes[i].matching_profiles,
			    sizeof f.matching_profiles);
		}
		assert_int_equal(limits_import(l, h->rows[i],
		    h->has_close[i] ? &f : NULL, same_conn, NULL), 0);
	}
}

/* The update of connection conn's close; fails when there is none. */
static const struct finding *
update_of(const struct heard *h, uint64_t conn)
{
	size_t i;

	for (i = 0; i < h->nupdates; i++)
		if (h->updates[i].conn_id == conn)
			return &h->updates[i];
	fail_msg("no update of connection %llu", (unsigned long long)conn);
	return NULL;
}

static int
by_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The pass over l: its updates and its rows. */
static void
finish(struct limits *l, struct heard *h)
{
	uint64_t hits;

	memset(h, 0, sizeof *h);
	limits_finish(l, &heard_ops, h, &hits);
	limits_export(l, &heard_ops, h);
}

/* The same rows, in whatever order. */
static void
same_rows(const struct heard *a, const struct heard *b)
{
	char (*x)[LIMITS_ROW_MAX] = malloc(sizeof a->rows);
	char (*y)[LIMITS_ROW_MAX] = malloc(sizeof b->rows);
	size_t i;

	assert_int_equal(a->nrows, b->nrows);
	memcpy(x, a->rows, sizeof a->rows);
	memcpy(y, b->rows, sizeof b->rows);
	qsort(x, a->nrows, sizeof x[0], by_text);
	qsort(y, b->nrows, sizeof y[0], by_text);
	for (i = 0; i < a->nrows; i++)
		assert_string_equal(x[i], y[i]);
	free(x);
	free(y);
}

/* The evidence of both shards, seen by one pass and by two then merged. */
static void
test_limits_split(void **state)
{
	struct limits *one = limits_new(), *a = limits_new(), *b = limits_new();
	struct limits *ab = limits_new(), *ba = limits_new();
	struct heard  *h1 = calloc(1, sizeof *h1), *ha = calloc(1, sizeof *ha);
	struct heard  *hb = calloc(1, sizeof *hb), *hab = calloc(1, sizeof *hab);
	struct heard  *hba = calloc(1, sizeof *hba);

	(void)state;
	/* Shard a: the close on 1, a message taken on 2. */
	keep_close(one, 1, 1000, 70000);
	keep_close(a, 1, 1000, 70000);
	limits_took(one, SERVER, 2, 60000);
	limits_took(a, SERVER, 2, 60000);
	/* Shard b: taken 65000 on 3, refused 66000 on 4. */
	limits_took(one, SERVER, 3, 65000);
	limits_took(b, SERVER, 3, 65000);
	keep_close(one, 4, 500, 66000);
	keep_close(b, 4, 500, 66000);
	finish(one, h1);
	finish(a, ha);
	finish(b, hb);
	/* Alone, shard a's close knows nothing of 65000 and 66000. */
	assert_int_equal(ha->nupdates, 1);
	assert_int_equal(update_of(ha, 1)->limit_min, 60000);
	assert_int_equal(update_of(ha, 1)->limit_max, 69999);
	import_all(ab, ha);
	import_all(ab, hb);
	import_all(ba, hb);
	import_all(ba, ha);
	finish(ab, hab);
	finish(ba, hba);
	/* Merged either way, the pass is the single one's. */
	assert_int_equal(hab->nupdates, h1->nupdates);
	assert_int_equal(hba->nupdates, h1->nupdates);
	assert_true(h1->nupdates >= 1);
	assert_int_equal(update_of(h1, 1)->limit_min, 65000);
	assert_int_equal(update_of(h1, 1)->limit_max, 65999);
	assert_string_equal(update_of(hab, 1)->detail, update_of(h1, 1)->detail);
	assert_string_equal(update_of(hba, 1)->detail, update_of(h1, 1)->detail);
	assert_non_null(strstr(update_of(h1, 1)->detail, "65000 bytes taken on"
	    " another connection"));
	same_rows(hab, h1);
	same_rows(hba, h1);
	limits_free(one);
	limits_free(a);
	limits_free(b);
	limits_free(ab);
	limits_free(ba);
	free(h1);
	free(ha);
	free(hb);
	free(hab);
	free(hba);
}

/* Equal sizes: the same two connections kept, in any order. */
static void
test_limits_ties(void **state)
{
	struct limits *x = limits_new(), *y = limits_new();
	struct heard  *hx = calloc(1, sizeof *hx), *hy = calloc(1, sizeof *hy);
	uint64_t       c;

	(void)state;
	for (c = 1; c <= 5; c++)
		limits_took(x, SERVER, c, 4096);
	for (c = 5; c >= 1; c--)
		limits_took(y, SERVER, c, 4096);
	finish(x, hx);
	finish(y, hy);
	assert_int_equal(hx->nrows, 1);
	assert_string_equal(hx->rows[0], hy->rows[0]);
	assert_non_null(strstr(hx->rows[0], " 4096 1 4096 2 "));
	limits_free(x);
	limits_free(y);
	free(hx);
	free(hy);
}

/* Rows this version does not write are refused, nothing kept. */
static void
test_limits_refused(void **state)
{
	static const char *const bad[] = {
		"", "x 1", "s", "s 1 2 3", "s 1 1 1 1 1 1 1 1 1 9",
		"c 1 2 3",
		/* 17 fragments */
		"c 1 1 0 19 1 1 5 9 -1 1 0 1 2 10 0 0 0 0 0 0 0 -1 -1 0 0 5 3 0"
		    " 2 - 17",
		/* a rule past the table */
		"c 1 1 99999 19 1 1 5 9 -1 1 0 1 2 10 0 0 0 0 0 0 0 -1 -1 0 0 5"
		    " 3 0 2 - 0",
		/* a stack no profile names */
		"c 1 1 0 19 1 1 5 9 -1 1 0 1 2 10 0 0 0 0 0 0 0 -1 -1 0 0 5 3 0"
		    " 2 no-such-stack 0",
		/* fewer fragments than it says */
		"c 1 1 0 19 1 1 5 9 -1 1 0 1 2 10 0 0 0 0 0 0 0 -1 -1 0 0 5 3 0"
		    " 2 - 2 1 1 10",
	};
	struct limits *l = limits_new();
	struct heard  *h = calloc(1, sizeof *h);
	struct finding f;
	size_t         i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&f, 0, sizeof f);
		assert_int_equal(limits_import(l, bad[i], &f, same_conn, NULL),
		    -1);
	}
	finish(l, h);
	assert_int_equal(h->nrows, 0);
	limits_free(l);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits_split),
		cmocka_unit_test(test_limits_ties),
		cmocka_unit_test(test_limits_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
