/*
 * browse: the core of the browser. The view stack, the global key table,
 * the status line, prompts, escaped output and the helpers views share.
 */
#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <curses.h>
#include <inttypes.h>
#include <ctype.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "browse.h"
#include "escape.h"
#include "rules.h"
#include "wsautopsy.h"

struct browse_frame {
	const struct browse_view *v;
	void                     *data;
};

struct browse {
	sqlite3            *db;
	const char         *title;
	struct browse_frame stack[BROWSE_MAX_VIEWS];
	int                 depth;
	int                 quit;
	char                msg[256];
	/* A jump browse_goto asked for, made once the key is handled. */
	/* 0 none, 1 connection, 2 frame, 3 message */
	int                     go;
	struct browse_frame_ref go_ref;
	struct browse_wkey      go_msg;
	char                pkt_said[128]; /* the packet last asked for */
	char                search[128];   /* / n N, in every view */
};

static void	 browse_setup(void);
static void	 browse_pop(struct browse *);
static void	 browse_status(struct browse *, int, int);
static void	 browse_draw(struct browse *);
static void	 browse_resize(struct browse *);
static const struct browse_key *browse_lookup(const struct browse_key *,
		    int);
static void	 browse_dispatch(struct browse *, int);
static void	 browse_go(struct browse *);
static void	 browse_sibling(struct browse *, int);

static void	 browse_span(sqlite3 *);
static int	 browse_tm(double, struct tm *, long *);

static int browse_has_color;
static int browse_started;
static int browse_span_days;

/* Keys every view shares; a view's own table is looked up first. */
static const struct browse_key browse_keys[] = {
	{ 'j', "j Down", BCMD_DOWN, 0, "next line" },
	{ KEY_DOWN, NULL, BCMD_DOWN, 0, NULL },
	{ 'k', "k Up", BCMD_UP, 0, "previous line" },
	{ KEY_UP, NULL, BCMD_UP, 0, NULL },
	{ KEY_NPAGE, "PgDn Space", BCMD_PGDN, 0, "next page" },
	{ ' ', NULL, BCMD_PGDN, 0, NULL },
	{ 6, NULL, BCMD_PGDN, 0, NULL },             /* ^F */
	{ KEY_PPAGE, "PgUp b", BCMD_PGUP, 0, "previous page" },
	{ 'b', NULL, BCMD_PGUP, 0, NULL },
	{ 2, NULL, BCMD_PGUP, 0, NULL },             /* ^B */
	{ 'g', "g Home", BCMD_HOME, 0, "first line" },
	{ KEY_HOME, NULL, BCMD_HOME, 0, NULL },
	{ 'G', "G End", BCMD_END, 0, "last line" },
	{ KEY_END, NULL, BCMD_END, 0, NULL },
	{ ':', ":", BCMD_PACKET, 0, "jump to a packet number (of the capture shown)" },
	{ 'q', "q Esc Left BS", BCMD_BACK, 0,
	  "back to the previous view (only q quits on the first)" },
	/* arg 1: a key pressed to back out of a view never quits. */
	{ 27, NULL, BCMD_BACK, 1, NULL },            /* Escape */
	{ KEY_LEFT, NULL, BCMD_BACK, 1, NULL },
	{ KEY_BACKSPACE, NULL, BCMD_BACK, 1, NULL },
	{ 127, NULL, BCMD_BACK, 1, NULL },           /* DEL, as Backspace */
	{ 8, NULL, BCMD_BACK, 1, NULL },             /* ^H */
	{ 'J', "J ^N", BCMD_SIBLING, 1,
	  "close this view, open the next item of the one below" },
	{ 14, NULL, BCMD_SIBLING, 1, NULL },         /* ^N */
	{ 'K', "K ^P", BCMD_SIBLING, -1, "the same, the previous item" },
	{ 16, NULL, BCMD_SIBLING, -1, NULL },        /* ^P */
	{ 'Q', "Q", BCMD_QUIT, 0, "quit" },
	{ '\t', "Tab", BCMD_PANE, 0,
	  "no view has panes: each is one list or one page (says so)" },
	{ '?', "?", BCMD_HELP, 0, "this help" },
	{ 12, "^L", BCMD_REDRAW, 0, "redraw the screen" },
	{ 0, NULL, BCMD_NONE, 0, NULL }
};

void
browse_start(void)
{
	if (!browse_started)
		browse_setup();
}

void
browse_end(void)
{
	if (browse_started)
		endwin();
	browse_started = 0;
}

static void
browse_setup(void)
{
	const char *nc;

	setlocale(LC_ALL, "");
	initscr();
	browse_started = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	browse_has_color = 0;
	nc = getenv("NO_COLOR");
	/* no-color.org: set and not empty. */
	if (has_colors() && (nc == NULL || *nc == '\0')) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_RED, -1);
		init_pair(2, COLOR_YELLOW, -1);
		init_pair(3, COLOR_MAGENTA, -1);
		init_pair(4, COLOR_CYAN, -1);
		init_pair(5, COLOR_GREEN, -1);
		browse_has_color = 1;
	}
}

int
browse_run(sqlite3 *db, const char *title)
{
	struct browse b;
	int           ch;

	memset(&b, 0, sizeof b);
	b.db = db;
	b.title = title;
	browse_span(db);
	browse_start();
	if (browse_push(&b, &browse_connections_view, NULL) != 0) {
		browse_end();
		wsa_warn("%s", b.msg);
		return EXIT_INPUT;
	}
	while (!b.quit && b.depth > 0) {
		browse_draw(&b);
		ch = getch();
		if (ch == KEY_RESIZE) {
			browse_resize(&b);
			continue;
		}
		if (ch == ERR)
			continue;
		b.msg[0] = '\0';
		browse_dispatch(&b, ch);
		if (b.go)
			browse_go(&b);
	}
	while (b.depth > 0)
		browse_pop(&b);
	browse_end();
	return EXIT_OK;
}

sqlite3 *
browse_db(struct browse *b)
{
	return b->db;
}

int
browse_prepare(struct browse *b, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(b->db, sql, -1, st, NULL) != SQLITE_OK) {
		browse_message(b, "database: %s", sqlite3_errmsg(b->db));
		*st = NULL;
		return -1;
	}
	return 0;
}

int
browse_push(struct browse *b, const struct browse_view *v, const void *arg)
{
	void *data;

	if (b->depth == BROWSE_MAX_VIEWS) {
		browse_message(b, "too many views open");
		return -1;
	}
	if ((data = v->init(b, arg)) == NULL)
		return -1;
	b->stack[b->depth].v = v;
	b->stack[b->depth].data = data;
	b->depth++;
	v->resize(data, LINES - 1, COLS);
	return 0;
}

static void
browse_pop(struct browse *b)
{
	struct browse_frame *f = &b->stack[--b->depth];

	f->v->free(f->data);
	f->v = NULL;
	f->data = NULL;
}

const struct browse_view *
browse_below(struct browse *b)
{
	return b->depth > 0 ? b->stack[b->depth - 1].v : NULL;
}

void *
browse_below_data(struct browse *b)
{
	return b->depth > 0 ? b->stack[b->depth - 1].data : NULL;
}

const struct browse_key *
browse_global_keys(void)
{
	return browse_keys;
}

void
browse_message(struct browse *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->msg, sizeof b->msg, fmt, ap);
	va_end(ap);
}

static void
browse_resize(struct browse *b)
{
	int i;

	for (i = 0; i < b->depth; i++)
		b->stack[i].v->resize(b->stack[i].data, LINES - 1, COLS);
	clearok(stdscr, TRUE);
}

static void
browse_draw(struct browse *b)
{
	struct browse_frame *f = &b->stack[b->depth - 1];

	erase();
	if (LINES > 1 && COLS > 0)
		f->v->draw(f->data, LINES - 1, COLS);
	browse_status(b, LINES - 1, COLS);
	refresh();
}

/*
 * The status line: where we are, the view's keys (after a tab in what the
 * view writes), then a message or the keys every view has. The view's
 * keys go first when the line is too narrow, then where we are is cut.
 */
static void
browse_status(struct browse *b, int y, int cols)
{
	struct browse_frame *f = &b->stack[b->depth - 1];
	const char          *hints = f->v->hints;
	char                 where[256], tail[300], line[1024];
	int                  x;

	where[0] = '\0';
	f->v->status(f->data, where, sizeof where);
	if (b->msg[0] != '\0')
		snprintf(tail, sizeof tail, "%s", b->msg);
	else
		snprintf(tail, sizeof tail, "?:help q:%s", b->depth > 1 ?
		    "back" : "quit");
	snprintf(line, sizeof line, "%s  %s%s%s", where, hints,
	    hints[0] != '\0' ? "  " : "", tail);
	attron(A_REVERSE);
	move(y, 0);
	hline(' ', cols);
	if (browse_width(line) <= cols)
		browse_put(y, 0, cols, line);
	else if (browse_width(where) + 2 + browse_width(tail) <= cols) {
		snprintf(line, sizeof line, "%s  %s", where, tail);
		browse_put(y, 0, cols, line);
	} else {
		/* The message or the help keys whole, where we are cut. */
		x = browse_put_ell(y, 0, cols - browse_width(tail) - 2, where);
		browse_put(y, x + 2, cols - x - 2, tail);
	}
	attroff(A_REVERSE);
}

static const struct browse_key *
browse_lookup(const struct browse_key *t, int ch)
{
	for (; t->cmd != BCMD_NONE; t++)
		if (t->key == ch)
			return t;
	return NULL;
}

static void
browse_dispatch(struct browse *b, int ch)
{
	struct browse_frame     *f = &b->stack[b->depth - 1];
	const struct browse_key *k;

	if ((k = browse_lookup(f->v->keys, ch)) == NULL &&
	    (k = browse_lookup(browse_keys, ch)) == NULL) {
		browse_message(b, "no such key here; ? lists the keys");
		return;
	}
	switch (k->cmd) {
	case BCMD_BACK:
		if (k->arg && b->depth == 1)
			break;
		browse_pop(b);
		break;
	case BCMD_QUIT:
		b->quit = 1;
		break;
	case BCMD_SIBLING:
		browse_sibling(b, k->arg);
		break;
	case BCMD_HELP:
		if (f->v != &browse_help_view)
			browse_push(b, &browse_help_view, NULL);
		break;
	case BCMD_REDRAW:
		clearok(stdscr, TRUE);
		break;
	case BCMD_PANE:
		browse_message(b, "no panes: Enter opens, q goes back, J/K"
		    " the next or previous item");
		break;
	default:
		f->v->key(f->data, k->cmd, k->arg);
		break;
	}
}

/*
 * As tig's next and previous: the view below moves one line and opens
 * it again in place of this one. Whether it moved is read from its
 * status line, so any list below works the same.
 */
static void
browse_sibling(struct browse *b, int dir)
{
	struct browse_frame *f;
	char                 before[256], after[256];

	if (b->depth < 2 || b->stack[b->depth - 1].v == &browse_help_view) {
		browse_message(b, "no list below this view");
		return;
	}
	browse_pop(b);
	f = &b->stack[b->depth - 1];
	f->v->status(f->data, before, sizeof before);
	f->v->key(f->data, dir > 0 ? BCMD_DOWN : BCMD_UP, 0);
	f->v->status(f->data, after, sizeof after);
	f->v->key(f->data, BCMD_ENTER, 0);
	if (strcmp(before, after) == 0)
		browse_message(b, "%s", dir > 0 ? "the last one" :
		    "the first one");
}

void
browse_goto(struct browse *b, const struct browse_frame_ref *ref,
    int open_frame)
{
	b->go = open_frame ? 2 : 1;
	b->go_ref = *ref;
}

void
browse_goto_message(struct browse *b, const struct browse_frame_ref *ref,
    const struct browse_wkey *msg)
{
	b->go = 3;
	b->go_ref = *ref;
	b->go_msg = *msg;
}

/*
 * Rebuilds the stack above the list: the connection, then the frame or
 * the messages.
 */
static void
browse_go(struct browse *b)
{
	struct browse_frame_ref ref = b->go_ref;
	struct browse_wkey      msg = b->go_msg;
	struct browse_conn_ref  c;
	struct browse_msg_ref   m;
	int                     open_frame = b->go == 2, open_msg = b->go == 3;

	b->go = 0;
	while (b->depth > 1)
		browse_pop(b);
	/* q walks back to the list on the connection : went to. */
	if (b->stack[0].v->reveal != NULL)
		b->stack[0].v->reveal(b->stack[0].data, ref.conn);
	c.conn = ref.conn;
	c.select = ref.index >= 0 ? &ref : NULL;
	if (browse_push(b, &browse_connection_view, &c) != 0)
		return;
	if (open_frame && ref.index >= 0)
		browse_push(b, &browse_frame_view, &ref);
	if (open_msg) {
		m.conn = ref.conn;
		m.frame = NULL;
		m.msg = &msg;
		browse_push(b, &browse_messages_view, &m);
	}
}

int
browse_packet_prompt(struct browse *b, int64_t capture, int64_t *pkt)
{
	sqlite3_stmt *st;
	char          prompt[160], buf[128], *end, *colon;
	long long     n;
	int           set = 0;

	snprintf(prompt, sizeof prompt, "packet: ");
	if (sqlite3_prepare_v2(b->db, "SELECT name, (SELECT count(*) FROM"
	    " capture_t), coalesce(files, 1) > 1 FROM capture_t WHERE"
	    " capture_id = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, capture);
		if (sqlite3_step(st) == SQLITE_ROW) {
			set = sqlite3_column_int(st, 2);
			if (set)
				snprintf(prompt, sizeof prompt, "packet of %s"
				    " (FILE:NUMBER): ", browse_col_text(st, 0));
			else if (sqlite3_column_int64(st, 1) > 1)
				snprintf(prompt, sizeof prompt, "packet of %s: ",
				    browse_col_text(st, 0));
		}
		sqlite3_finalize(st);
	}
	if (browse_prompt(b, prompt, buf, sizeof buf) != 0)
		return -1;
	/* In a capture set a packet is its file's name and its number. */
	colon = set ? strrchr(buf, ':') : NULL;
	n = strtoll(colon != NULL ? colon + 1 : buf, &end, 10);
	if (*end != '\0' || n < 1 || (set && colon == NULL)) {
		browse_message(b, set ? "not FILE:NUMBER: %s" :
		    "not a packet number: %s", buf);
		return -1;
	}
	snprintf(b->pkt_said, sizeof b->pkt_said, "%s", buf);
	*pkt = n;
	if (colon == NULL)
		return 0;
	*colon = '\0';
	/* The file's span holding that number gives the packet's ordinal. */
	if (sqlite3_prepare_v2(b->db, "SELECT s.ordinal + (?3 - s.number) FROM"
	    " capture_span_t s JOIN capture_file_t f ON f.capture_id ="
	    " s.capture_id AND f.file_index = s.file_index WHERE s.capture_id"
	    " = ?1 AND f.name = ?2 AND ?3 >= s.number AND ?3 < s.number +"
	    " s.count", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, capture);
	sqlite3_bind_text(st, 2, buf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, n);
	if (sqlite3_step(st) == SQLITE_ROW)
		*pkt = sqlite3_column_int64(st, 0);
	else {
		browse_message(b, "no packet %s in this capture set",
		    b->pkt_said);
		n = -1;
	}
	sqlite3_finalize(st);
	return n < 0 ? -1 : 0;
}

const char *
browse_packet_said(const struct browse *b)
{
	return b->pkt_said;
}

int
browse_packet_find(struct browse *b, int64_t capture, int64_t pkt,
    struct browse_frame_ref *ref)
{
	sqlite3_stmt *st;
	int           rc = -1;

	memset(ref, 0, sizeof *ref);
	ref->index = -1;
	/*
	 * The last frame starting at or before it, read backwards on the
	 * frame_packet index from the packet. CROSS JOIN keeps frame_t the
	 * outer loop: joined the other way, the planner walks every frame of
	 * the capture (seconds on a million frames).
	 */
	if (sqlite3_prepare_v2(b->db, "SELECT f.connection_id, f.direction,"
	    " f.frame_index, f.packet FROM frame_t f CROSS JOIN connection_t c"
	    " ON c.connection_id = f.connection_id WHERE f.packet <= ?1 AND"
	    " f.packet >= ?1 - 100000 AND f.last_packet >= ?1 AND"
	    " c.capture_id = ?2 ORDER BY f.packet DESC LIMIT 1", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, pkt);
	sqlite3_bind_int64(st, 2, capture);
	if (sqlite3_step(st) == SQLITE_ROW) {
		ref->conn = (int64_t)sqlite3_column_int64(st, 0);
		ref->dir = sqlite3_column_int(st, 1);
		ref->index = (int64_t)sqlite3_column_int64(st, 2);
		ref->packet = (int64_t)sqlite3_column_int64(st, 3);
		rc = 1;
	}
	sqlite3_finalize(st);
	if (rc == 1)
		return rc;
	/* No frame: the connection whose span holds it most tightly. */
	if (sqlite3_prepare_v2(b->db, "SELECT connection_id FROM connection_t"
	    " WHERE capture_id = ?2 AND first_packet <= ?1 AND last_packet >="
	    " ?1 ORDER BY last_packet - first_packet LIMIT 1", -1, &st, NULL)
	    != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, pkt);
	sqlite3_bind_int64(st, 2, capture);
	if (sqlite3_step(st) == SQLITE_ROW) {
		ref->conn = (int64_t)sqlite3_column_int64(st, 0);
		rc = 0;
	} else
		browse_message(b, "no connection holds packet %s",
		    b->pkt_said);
	sqlite3_finalize(st);
	return rc;
}

int
browse_prompt(struct browse *b, const char *prompt, char *buf, size_t len)
{
	buf[0] = '\0';
	return browse_prompt_edit(b, prompt, buf, len);
}

void
browse_popup(struct browse *b, const char *title, const char *text)
{
	struct browse_text t;
	size_t             i;
	int                y, w = COLS - 4;

	(void)b;
	memset(&t, 0, sizeof t);
	browse_text_add(&t, A_BOLD, "%s", title);
	browse_text_wrap(&t, 0, "", w, text);
	browse_text_add(&t, A_DIM, "%s", "(any key closes)");
	y = LINES - 1 - (int)t.n - 2;
	if (y < 0)
		y = 0;
	for (i = 0; i < t.n + 2 && y + (int)i < LINES - 1; i++) {
		move(y + (int)i, 0);
		clrtoeol();
	}
	move(y, 0);
	hline(ACS_HLINE, COLS);
	for (i = 0; i < t.n && y + 1 + (int)i < LINES - 1; i++) {
		attron(t.lines[i].attr);
		browse_put(y + 1 + (int)i, 2, w, t.lines[i].text);
		attroff(t.lines[i].attr);
	}
	refresh();
	getch();
	browse_text_clear(&t);
}

int
browse_confirm(struct browse *b, const char *question)
{
	int ch, y = LINES - 1;

	(void)b;
	move(y, 0);
	clrtoeol();
	attron(A_REVERSE);
	browse_put(y, 0, COLS - 1, question);
	attroff(A_REVERSE);
	refresh();
	ch = getch();
	return ch == 'y' || ch == 'Y';
}

int
browse_prompt_edit(struct browse *b, const char *prompt, char *buf,
    size_t len)
{
	size_t n = strnlen(buf, len - 1);
	int    ch, y = LINES - 1;
	char   line[512];

	buf[n] = '\0';
	curs_set(1);
	for (;;) {
		snprintf(line, sizeof line, "%s%s", prompt, buf);
		move(y, 0);
		clrtoeol();
		move(y, browse_put(y, 0, COLS - 1, line));
		refresh();
		ch = getch();
		if (ch == '\r' || ch == '\n' || ch == KEY_ENTER)
			break;
		if (ch == 27 || ch == 7) {          /* Escape, ^G */
			n = 0;
			break;
		}
		if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (n > 0)
				buf[--n] = '\0';
			continue;
		}
		if (ch == KEY_RESIZE) {
			browse_resize(b);
			continue;
		}
		if (ch >= 0x20 && ch < 0x100 && ch != 0x7f && n + 1 < len) {
			buf[n++] = (char)ch;
			buf[n] = '\0';
		}
	}
	curs_set(0);
	buf[n] = '\0';
	return n == 0 ? -1 : 0;
}

/*
 * The escaped text of s as wide characters, at most width columns; with
 * ell, text that does not fit ends in an ellipsis. Returns the count and
 * the columns in *used.
 */
static size_t
browse_wide(const char *s, int width, int ell, wchar_t *w, size_t wn,
    int *used)
{
	char        esc[BROWSE_TEXT_MAX];
	mbstate_t   mbs;
	size_t      i = 0, n, len;
	int         cw, cols = 0, ellw;
	wchar_t     wc, dots;
	const char *p;

	*used = 0;
	if (s == NULL || width <= 0)
		return 0;
	/* U+2026 where the locale has it, else a tilde. */
	dots = MB_CUR_MAX > 1 && wcwidth(L'\u2026') == 1 ? L'\u2026' : L'~';
	ellw = ell ? 1 : 0;
	esc_terminal_str(s, esc, sizeof esc);
	memset(&mbs, 0, sizeof mbs);
	p = esc;
	len = strlen(esc);
	while (len > 0 && i < wn - 1) {
		n = mbrtowc(&wc, p, len, &mbs);
		if (n == 0 || n == (size_t)-1 || n == (size_t)-2) {
			/* Not a character in this locale: show a stand-in. */
			memset(&mbs, 0, sizeof mbs);
			wc = L'?';
			n = 1;
		}
		if ((cw = wcwidth(wc)) < 0)
			wc = L'?', cw = 1;
		if (cols + cw > width) {
			if (ell) {
				/* Give back the room the ellipsis needs. */
				while (i > 0 && cols + ellw > width)
					cols -= wcwidth(w[--i]);
				w[i++] = dots;
				cols += ellw;
			}
			break;
		}
		w[i++] = wc;
		cols += cw;
		p += n;
		len -= n;
	}
	*used = cols;
	return i;
}

static int
browse_put_wide(int y, int x, int width, const char *s, int ell)
{
	wchar_t w[512];
	size_t  n;
	int     used;

	if (y < 0 || x < 0)
		return x;
	if ((n = browse_wide(s, width, ell, w, sizeof w / sizeof w[0],
	    &used)) > 0)
		mvaddnwstr(y, x, w, (int)n);
	return x + used;
}

int
browse_put(int y, int x, int width, const char *s)
{
	return browse_put_wide(y, x, width, s, 0);
}

int
browse_put_ell(int y, int x, int width, const char *s)
{
	return browse_put_wide(y, x, width, s, 1);
}

int
browse_width(const char *s)
{
	wchar_t w[512];
	int     used;

	browse_wide(s, 1 << 20, 0, w, sizeof w / sizeof w[0], &used);
	return used;
}

int
browse_putf(int y, int x, int width, const char *fmt, ...)
{
	char    buf[BROWSE_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return browse_put(y, x, width, buf);
}

int
browse_color(void)
{
	return browse_has_color;
}

int
browse_dir_attr(int dir)
{
	if (!browse_has_color)
		return A_NORMAL;
	return (int)COLOR_PAIR(dir == 0 ? 5 : 4);
}

int
browse_class_attr(const char *c)
{
	static const struct {
		short pair;
		int   attr, mono;
	} look[CLASS_COUNT] = {
#define BROWSE_LOOK(e, name, rank, sort, ansi, pair, attr, mono, key) \
		[CLASS_##e] = { pair, attr, mono },
		CLASS_LIST(BROWSE_LOOK)
#undef BROWSE_LOOK
	};
	enum finding_class fc = finding_class_find(c);

	if (fc == CLASS_COUNT)
		return A_NORMAL;
	if (!browse_has_color)
		return look[fc].mono;
	return (look[fc].pair != 0 ? (int)COLOR_PAIR(look[fc].pair) : 0) |
	    look[fc].attr;
}

int
browse_list_move(struct browse_list *l, enum browse_cmd cmd)
{
	int64_t page = l->rows > 1 ? l->rows - 1 : 1;

	switch (cmd) {
	case BCMD_UP:
		l->sel--;
		break;
	case BCMD_DOWN:
		l->sel++;
		break;
	case BCMD_PGUP:
		l->sel -= page;
		l->top -= page;
		break;
	case BCMD_PGDN:
		l->sel += page;
		l->top += page;
		break;
	case BCMD_HOME:
		l->sel = 0;
		break;
	case BCMD_END:
		l->sel = l->n - 1;
		break;
	default:
		return 0;
	}
	browse_list_fit(l);
	return 1;
}

int
browse_list_key(struct browse *b, struct browse_list *l,
    const struct browse_list_ops *o, void *view, enum browse_cmd cmd)
{
	switch (cmd) {
	case BCMD_PGDN:
		if (o->page_down == NULL)
			break;
		o->page_down(view);
		if (o->moved != NULL)
			o->moved(view);
		return 1;
	case BCMD_SEARCH:
		browse_prompt(b, o->prompt, b->search, sizeof b->search);
		if (o->searched != NULL)
			o->searched(view);
		if (b->search[0] != '\0')
			o->find(view, 0);
		return 1;
	case BCMD_NEXT:
	case BCMD_PREV:
		if (b->search[0] == '\0')
			browse_message(b, "search with / first");
		else
			o->find(view, cmd == BCMD_NEXT ? 1 : -1);
		return 1;
	case BCMD_NEXT_FINDING:
	case BCMD_PREV_FINDING:
		if (o->finding == NULL)
			return 0;
		o->finding(view, cmd == BCMD_NEXT_FINDING ? 1 : -1);
		return 1;
	case BCMD_PACKET:
		if (o->packet == NULL)
			return 0;
		o->packet(view);
		return 1;
	default:
		break;
	}
	if (!browse_list_move(l, cmd))
		return 0;
	if (o->moved != NULL)
		o->moved(view);
	return 1;
}

const char *
browse_search_text(struct browse *b)
{
	return b->search;
}

/* Keeps 0 <= sel < n and the selection on screen. */
void
browse_list_fit(struct browse_list *l)
{
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->sel < 0)
		l->sel = 0;
	if (l->rows < 1)
		l->rows = 1;
	if (l->top > l->n - l->rows)
		l->top = l->n - l->rows;
	if (l->top > l->sel)
		l->top = l->sel;
	if (l->sel >= l->top + l->rows)
		l->top = l->sel - l->rows + 1;
	if (l->top < 0)
		l->top = 0;
}

const char *
browse_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

const char *
browse_opcode_name(int op)
{
	static const char *const names[16] = {
		"cont", "text", "binary", "rsv3", "rsv4", "rsv5", "rsv6",
		"rsv7", "close", "ping", "pong", "rsvB", "rsvC", "rsvD",
		"rsvE", "rsvF"
	};

	return op >= 0 && op < 16 ? names[op] : "?";
}

/*
 * Whether times need their date: read once, on connection_t (one pass
 * when the browser starts, none per key).
 */
static void
browse_span(sqlite3 *db)
{
	sqlite3_stmt *st;
	char          a[40], z[40];

	browse_span_days = 0;
	if (sqlite3_prepare_v2(db, "SELECT min(first_sec), max(last_sec)"
	    " FROM connection_t", -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		browse_time_fmt(sqlite3_column_double(st, 0), 1, 0, a, sizeof a);
		browse_time_fmt(sqlite3_column_double(st, 1), 1, 0, z, sizeof z);
		browse_span_days = strncmp(a, z, 10) != 0;
	}
	sqlite3_finalize(st);
}

int
browse_days(void)
{
	return browse_span_days;
}

void
browse_time(double t, char *buf, size_t len)
{
	browse_time_fmt(t, 0, 0, buf, len);
}

/* Splits t into local time and microseconds; -1 when out of range. */
static int
browse_tm(double t, struct tm *tm, long *us)
{
	int64_t whole = (int64_t)t;
	time_t  sec;

	if ((double)whole > t)
		whole--;
	*us = (long)((t - (double)whole) * 1e6 + 0.5);
	if (*us >= 1000000) {
		whole++;
		*us -= 1000000;
	}
	sec = (time_t)whole;
	return localtime_r(&sec, tm) == NULL ? -1 : 0;
}

void
browse_time_fmt(double t, int date, int zone, char *buf, size_t len)
{
	struct tm tm;
	long      us;
	char      d[16] = "", z[16] = "";

	if (browse_tm(t, &tm, &us) != 0) {
		snprintf(buf, len, "%.6f", t);
		return;
	}
	if (date)
		strftime(d, sizeof d, "%Y-%m-%d ", &tm);
	if (zone && strftime(z + 1, sizeof z - 1, "%Z", &tm) > 0)
		z[0] = ' ';
	snprintf(buf, len, "%s%02d:%02d:%02d.%06ld%s", d, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, us, z);
}

void
browse_zone(double t, char *buf, size_t len)
{
	struct tm tm;
	long      us;

	buf[0] = '\0';
	if (browse_tm(t, &tm, &us) == 0)
		strftime(buf, len, "%Z", &tm);
}

size_t
browse_bytes(const uint8_t *p, size_t n, char *out, size_t len)
{
	size_t i, o = 0;

	if (len == 0)
		return 0;
	for (i = 0; i < n; i++) {
		/* Room for the longest escape, then "..." and the NUL. */
		if (o + 4 + 4 > len) {
			if (o + 4 <= len) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (p[i] == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (p[i] >= 0x20 && p[i] < 0x7f)
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", p[i]);
	}
	out[o] = '\0';
	return o;
}

int
browse_match(const char *s, const char *pat)
{
	size_t i, n = strlen(pat);

	for (; *s != '\0'; s++) {
		for (i = 0; i < n && s[i] != '\0' &&
		    tolower((unsigned char)s[i]) ==
		    tolower((unsigned char)pat[i]); i++)
			;
		if (i == n)
			return 1;
	}
	return n == 0;
}

int
browse_text_search(struct browse *b, struct browse_text *t,
    struct browse_list *l, char *pat, size_t len, enum browse_cmd cmd)
{
	int64_t i, k, from, n = (int64_t)t->n;
	int     dir;

	if (cmd != BCMD_SEARCH && cmd != BCMD_NEXT && cmd != BCMD_PREV)
		return 0;
	if (cmd == BCMD_SEARCH && browse_prompt(b, "search: ", pat, len) != 0)
		return 1;
	if (pat[0] == '\0') {
		browse_message(b, "search with / first");
		return 1;
	}
	dir = cmd == BCMD_PREV ? -1 : 1;
	/* / looks from the top line, n and N from the line after or before. */
	from = t->hit > 0 ? (int64_t)t->hit - 1 : l->top;
	for (k = cmd == BCMD_SEARCH ? 0 : 1; n > 0 && k <= n; k++) {
		i = ((from + dir * k) % n + n) % n;
		if (browse_match(t->lines[i].text, pat)) {
			t->hit = (size_t)i + 1;
			browse_message(b, "/%s: line %" PRId64 " of %" PRId64 "%s",
			    pat, i + 1, n, (dir > 0 && i <= from && k > 0) ||
			    (dir < 0 && i >= from && k > 0) ?
			    " (search wrapped)" : "");
			/* The line found on top, unless the page ends first. */
			l->sel = l->top = i;
			if (l->top > l->n - l->rows)
				l->top = l->n > l->rows ? l->n - l->rows : 0;
			return 1;
		}
	}
	browse_message(b, "no match for '%s'", pat);
	return 1;
}

void
browse_size(int64_t v, char *buf, size_t len)
{
	if (v < 10000)
		snprintf(buf, len, "%lld", (long long)v);
	else if (v < 10000 * 1024LL)
		snprintf(buf, len, "%lldK", (long long)(v >> 10));
	else if (v < 10000 * 1024LL * 1024)
		snprintf(buf, len, "%lldM", (long long)(v >> 20));
	else
		snprintf(buf, len, "%lldG", (long long)(v >> 30));
}

void
browse_text_add(struct browse_text *t, int attr, const char *fmt, ...)
{
	char    buf[BROWSE_TEXT_MAX], esc[BROWSE_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	esc_terminal_str(buf, esc, sizeof esc);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->lines = xrealloc(t->lines, t->cap * sizeof *t->lines);
	}
	t->lines[t->n].attr = attr;
	t->lines[t->n].text = xstrdup(esc);
	t->n++;
}

void
browse_text_wrap(struct browse_text *t, int attr, const char *indent,
    int width, const char *text)
{
	/* Any length: a payload wraps whole (an escape is 4 bytes at most). */
	size_t      len = strlen(text) * 4 + 16;
	char       *esc = xmalloc(len);
	const char *p, *brk, *q;
	int         avail, cols;

	esc_terminal_str(text, esc, len);
	avail = width - (int)strlen(indent);
	if (avail < 10)
		avail = 10;
	p = esc;
	do {
		brk = NULL;
		cols = 0;
		for (q = p; *q != '\0'; q++) {
			if (((unsigned char)*q & 0xc0) != 0x80 &&
			    ++cols > avail)
				break;
			if (*q == ' ')
				brk = q;
		}
		if (*q == '\0' || brk == NULL || brk == p)
			brk = q;
		/* Never split a UTF-8 sequence. */
		while (*brk != '\0' && ((unsigned char)*brk & 0xc0) == 0x80)
			brk++;
		browse_text_add(t, attr, "%s%.*s", indent, (int)(brk - p), p);
		p = *brk == ' ' ? brk + 1 : brk;
	} while (*p != '\0');
	free(esc);
}

void
browse_text_clear(struct browse_text *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->lines[i].text);
	free(t->lines);
	memset(t, 0, sizeof *t);
}

/* Lines l.top onwards, each in its attribute. */
void
browse_text_draw(const struct browse_text *t, const struct browse_list *l,
    int rows, int cols)
{
	int64_t i;
	int     attr;

	for (i = l->top; i < l->n && i < (int64_t)t->n && i - l->top < rows;
	    i++) {
		attr = t->lines[i].attr | ((size_t)i + 1 == t->hit ? A_REVERSE : 0);
		attron(attr);
		browse_put((int)(i - l->top), 0, cols, t->lines[i].text);
		attroff(attr);
	}
}

/* A page of text scrolls: there is no selection to move. */
int
browse_text_scroll(struct browse_list *l, enum browse_cmd cmd)
{
	if (cmd == BCMD_DOWN || cmd == BCMD_UP) {
		l->sel = cmd == BCMD_DOWN ? l->top + l->rows : l->top - 1;
		browse_list_fit(l);
		return 1;
	}
	return browse_list_move(l, cmd);
}
