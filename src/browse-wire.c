/*
 * browse-wire: the two directions of a connection merged in wire order,
 * for the views that list frames or messages (browse.h).
 *
 * Within a direction items are numbered 0..n-1 and their first packets
 * never decrease, so the merged position of an item is its index plus the
 * number of items of the other direction before it, and the split of a
 * merged position between the directions is a binary search; both need
 * O(log n) point lookups on an index of (connection, direction, index).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "browse.h"
#include "wsautopsy.h"

#define BROWSE_MARKS_MAX 4096

static int	browse_mark_cmp(const void *, const void *);

int
browse_wire_open(struct browse *b, struct browse_wire *w, int64_t conn,
    const char *table, const char *index)
{
	sqlite3_stmt *st;
	char          sql[256];
	int           d;

	w->conn = conn;
	w->n[0] = w->n[1] = 0;
	snprintf(sql, sizeof sql, "SELECT max(%s) FROM %s WHERE connection_id"
	    " = ?1 AND direction = ?2", index, table);
	if (browse_prepare(b, sql, &st) != 0)
		return -1;
	for (d = 0; d < 2; d++) {
		sqlite3_bind_int64(st, 1, conn);
		sqlite3_bind_int(st, 2, d);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_type(st, 0) != SQLITE_NULL)
			w->n[d] = (int64_t)sqlite3_column_int64(st, 0) + 1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE connection_id = ?1"
	    " AND direction = ?2 AND %s = ?3", strcmp(table, "frame_t") == 0 ?
	    "packet" : "first_packet", table, index);
	return browse_prepare(b, sql, &w->st);
}

int
browse_wkey_cmp(const struct browse_wkey *a, const struct browse_wkey *b)
{
	if (a->packet != b->packet)
		return a->packet < b->packet ? -1 : 1;
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	if (a->index != b->index)
		return a->index < b->index ? -1 : 1;
	return 0;
}

int
browse_wire_key(struct browse_wire *w, int dir, int64_t i,
    struct browse_wkey *k)
{
	sqlite3_stmt *st = w->st;
	int           rc = -1;

	sqlite3_bind_int64(st, 1, w->conn);
	sqlite3_bind_int(st, 2, dir);
	sqlite3_bind_int64(st, 3, i);
	if (sqlite3_step(st) == SQLITE_ROW) {
		k->packet = (int64_t)sqlite3_column_int64(st, 0);
		k->dir = dir;
		k->index = i;
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

int64_t
browse_wire_before(struct browse_wire *w, int dir,
    const struct browse_wkey *k)
{
	struct browse_wkey m;
	int64_t            lo = 0, hi = w->n[dir], mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (browse_wire_key(w, dir, mid, &m) == 0 &&
		    browse_wkey_cmp(&m, k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int64_t
browse_wire_position(struct browse_wire *w, const struct browse_wkey *k)
{
	return browse_wire_before(w, 0, k) + browse_wire_before(w, 1, k);
}

void
browse_wire_split(struct browse_wire *w, int64_t pos, int64_t *c)
{
	struct browse_wkey a, b;
	int64_t            lo, hi, mid;

	lo = pos - w->n[1] > 0 ? pos - w->n[1] : 0;
	hi = pos < w->n[0] ? pos : w->n[0];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		/* Too few client items taken while one precedes a server one. */
		if (browse_wire_key(w, 0, mid, &a) == 0 &&
		    browse_wire_key(w, 1, pos - mid - 1, &b) == 0 &&
		    browse_wkey_cmp(&a, &b) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	c[0] = lo;
	c[1] = pos - lo;
}

/* The frames findings name: their own frame and the one that provoked. */
struct browse_mark *
browse_marks_load(struct browse *b, int64_t conn, int *n, int *cut)
{
	sqlite3_stmt       *st;
	struct browse_mark *marks, *m;
	int                 o;

	*n = *cut = 0;
	marks = xcalloc(BROWSE_MARKS_MAX, sizeof *marks);
	/* finding_t: its packets are ordinals, to compare with frames'. */
	if (browse_prepare(b, "SELECT class, coalesce(rule,"
	    " offending_rule, kind), coalesce(offending_rule, kind),"
	    " sender = 1, frame_index, packet, offending_sender = 1,"
	    " offending_frame_index, offending_packet, tolerated_by FROM"
	    " finding_t WHERE connection_id = ?1 ORDER BY t_sec + t_nsec / 1e9"
	    " LIMIT ?2", &st) != 0)
		return marks;
	sqlite3_bind_int64(st, 1, conn);
	/* Each row gives 1 or 2 marks; one more row says the list is cut. */
	sqlite3_bind_int(st, 2, BROWSE_MARKS_MAX + 1);
	while (!*cut && sqlite3_step(st) == SQLITE_ROW) {
		for (o = 0; o < 2; o++) {
			if (sqlite3_column_type(st, 4 + 3 * o) == SQLITE_NULL ||
			    sqlite3_column_type(st, 3 + 3 * o) == SQLITE_NULL)
				continue;
			if (*n == BROWSE_MARKS_MAX) {
				*cut = 1;
				break;
			}
			m = &marks[(*n)++];
			m->k.dir = sqlite3_column_int(st, 3 + 3 * o);
			m->k.index = (int64_t)sqlite3_column_int64(st, 4 + 3 * o);
			m->k.packet = (int64_t)sqlite3_column_int64(st, 5 + 3 * o);
			snprintf(m->cls, sizeof m->cls, "%s",
			    browse_col_text(st, 0));
			/* The violation's own mark says who carried on. */
			snprintf(m->rule, sizeof m->rule, "%s%s%s",
			    browse_col_text(st, 1 + o), o == 0 &&
			    sqlite3_column_type(st, 9) != SQLITE_NULL ?
			    ", tolerated by " : "", o == 0 ?
			    browse_col_text(st, 9) : "");
		}
	}
	sqlite3_finalize(st);
	qsort(marks, (size_t)*n, sizeof *marks, browse_mark_cmp);
	return marks;
}

static int
browse_mark_cmp(const void *a, const void *b)
{
	return browse_wkey_cmp(&((const struct browse_mark *)a)->k,
	    &((const struct browse_mark *)b)->k);
}
