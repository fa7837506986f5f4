/*
 * browse-help: the ? view. The keys of the view below and the global ones,
 * made from the key tables themselves so nothing is written twice, then
 * what the view below adds: the rules of the findings it shows, from the
 * rule table.
 */
#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "browse.h"
#include "rules.h"
#include "wsautopsy.h"

struct bh {
	struct browse            *b;
	char                      search[128];
	const struct browse_view *below;
	void                     *below_data;
	struct browse_text        t;
	struct browse_list        l;
};

static const struct browse_key bh_keys[] = {
	{ '/', "/", BCMD_SEARCH, 0, "search the help" },
	{ 'n', "n", BCMD_NEXT, 0, "next match" },
	{ 'N', "N", BCMD_PREV, 0, "previous match" },
	{ 0, NULL, BCMD_NONE, 0, NULL }
};

static void	*bh_init(struct browse *, const void *);
static void	 bh_free(void *);
static void	 bh_build(struct bh *, int);
static void	 bh_keys_text(struct bh *, const struct browse_key *);
static void	 bh_draw(void *, int, int);
static void	 bh_key(void *, enum browse_cmd, int);
static void	 bh_resize(void *, int, int);
static void	 bh_status(void *, char *, size_t);

const struct browse_view browse_help_view = {
	"help", bh_keys, "", bh_init, bh_free, bh_draw, bh_key, bh_resize,
	bh_status, NULL, NULL
};

static void *
bh_init(struct browse *b, const void *arg)
{
	struct bh *h = xcalloc(1, sizeof *h);

	(void)arg;
	h->b = b;
	h->below = browse_below(b);
	h->below_data = browse_below_data(b);
	return h;
}

static void
bh_free(void *p)
{
	struct bh *h = p;

	browse_text_clear(&h->t);
	free(h);
}

/* Built for the width, as the rules' text wraps. */
static void
bh_build(struct bh *h, int cols)
{
	browse_text_clear(&h->t);
	browse_text_add(&h->t, A_BOLD, "wsautopsy browse: keys of the %s view",
	    h->below != NULL ? h->below->name : "current");
	browse_text_add(&h->t, 0, "%s", "");
	if (h->below != NULL)
		bh_keys_text(h, h->below->keys);
	browse_text_add(&h->t, 0, "%s", "");
	browse_text_add(&h->t, A_BOLD, "%s", "Everywhere:");
	bh_keys_text(h, browse_global_keys());
	if (h->below != NULL && h->below->help != NULL)
		h->below->help(h->below_data, &h->t, cols);
	h->l.n = (int64_t)h->t.n;
}

static void
bh_keys_text(struct bh *h, const struct browse_key *t)
{
	size_t n = h->t.n;

	for (; t->cmd != BCMD_NONE; t++)
		if (t->help != NULL)
			browse_text_add(&h->t, 0, "  %-12s %s", t->name,
			    t->help);
	if (h->t.n == n)
		browse_text_add(&h->t, 0, "%s", "  (none of its own)");
}

static void
bh_draw(void *p, int rows, int cols)
{
	struct bh *h = p;

	browse_text_draw(&h->t, &h->l, rows, cols);
}

static void
bh_key(void *p, enum browse_cmd cmd, int arg)
{
	struct bh *h = p;

	(void)arg;
	if (!browse_text_search(h->b, &h->t, &h->l, h->search,
	    sizeof h->search, cmd))
		browse_text_scroll(&h->l, cmd);
}

static void
bh_resize(void *p, int rows, int cols)
{
	struct bh *h = p;

	bh_build(h, cols);
	h->l.rows = rows;
	browse_list_fit(&h->l);
}

static void
bh_status(void *p, char *buf, size_t len)
{
	struct bh *h = p;

	snprintf(buf, len, "help%s%s", h->below != NULL ? " for the " : "",
	    h->below != NULL ? h->below->name : "");
}

void
browse_rules_text(struct browse_text *t, sqlite3 *db, int cols,
    const char *where, int64_t conn, int dir, int64_t index)
{
	sqlite3_stmt      *st;
	const struct rule *r;
	const char        *rule, *section, *expl;
	char               buf[BROWSE_TEXT_MAX];
	int                attr, n = 0;

	snprintf(buf, sizeof buf, "SELECT class, kind, coalesce(rule,"
	    " offending_rule), section, explanation, count(*) FROM findings"
	    " WHERE %s GROUP BY coalesce(rule, offending_rule, kind), class"
	    " ORDER BY min(time) LIMIT 40", where);
	if (sqlite3_prepare_v2(db, buf, -1, &st, NULL) != SQLITE_OK)
		return;
	/* Parameters the clause does not use are left unbound. */
	sqlite3_bind_int64(st, 1, conn);
	if (sqlite3_bind_parameter_count(st) >= 3) {
		sqlite3_bind_text(st, 2, dir ? "server" : "client", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, index);
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n++ == 0) {
			browse_text_add(t, 0, "%s", "");
			browse_text_add(t, A_BOLD, "%s", "Rules of the findings"
			    " shown here:");
		}
		attr = browse_class_attr(browse_col_text(st, 0));
		rule = browse_col_text(st, 2);
		r = rule[0] != '\0' ? rule_find(rule) : NULL;
		section = r != NULL ? r->section : browse_col_text(st, 3);
		expl = r != NULL ? r->explanation : browse_col_text(st, 4);
		snprintf(buf, sizeof buf, "  %s %s%s%s%s%s%s",
		    browse_col_text(st, 0), rule[0] != '\0' ? rule :
		    browse_col_text(st, 1),
		    section[0] != '\0' ? "  " : "", section,
		    sqlite3_column_int(st, 5) > 1 ? "  (" : "",
		    sqlite3_column_int(st, 5) > 1 ? browse_col_text(st, 5) : "",
		    sqlite3_column_int(st, 5) > 1 ? " findings)" : "");
		browse_text_wrap(t, attr | A_BOLD, "", cols, buf);
		browse_text_wrap(t, 0, "      ", cols, expl);
		if (r != NULL && r->cause != NULL && r->cause[0] != '\0') {
			snprintf(buf, sizeof buf, "usual cause: %s", r->cause);
			browse_text_wrap(t, 0, "      ", cols, buf);
		}
	}
	sqlite3_finalize(st);
}
