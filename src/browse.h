/*
 * browse: the ncurses browser over a wsautopsy database. A stack of views;
 * each view is one file with a const struct browse_view of callbacks.
 * Views read only the database (its public views, wsautopsy-db(5)).
 *
 * Every string that reaches the screen goes through browse_put(), which
 * escapes it with esc_terminal(): the database may hold any bytes a peer
 * sent, or be a file someone else made.
 */
#ifndef BROWSE_H
#define BROWSE_H

#include <stdint.h>

#include <sqlite3.h>

#define BROWSE_MAX_VIEWS 8
#define BROWSE_TEXT_MAX  4096

/* Commands keys map to; the global ones are handled by the core too. */
enum browse_cmd {
	BCMD_NONE,
	BCMD_UP, BCMD_DOWN, BCMD_PGUP, BCMD_PGDN, BCMD_HOME, BCMD_END,
	BCMD_BACK, BCMD_QUIT, BCMD_HELP, BCMD_REDRAW, BCMD_PACKET,
	BCMD_ENTER, BCMD_SIBLING,
	/* View commands. */
	BCMD_SORT, BCMD_CLASS, BCMD_SEARCH, BCMD_NEXT, BCMD_PREV,
	BCMD_FILTER, BCMD_TIME, BCMD_NEXT_FINDING, BCMD_PREV_FINDING,
	BCMD_HEADER, BCMD_PANE, BCMD_BUCKET, BCMD_BUCKET_ONLY,
	BCMD_MESSAGES, BCMD_SAVE, BCMD_WSFILTER, BCMD_JSON
};

struct browse_key {
	int             key;     /* curses key code */
	const char     *name;    /* as shown in the help */
	enum browse_cmd cmd;
	int             arg;     /* e.g. the class index of a number key */
	const char     *help;    /* NULL: same line as the previous entry */
};

struct browse;
struct browse_text;

/* What the frame view opens (the connection view's argument is an id). */
struct browse_frame_ref {
	int64_t conn;
	int     dir;       /* 0 client, 1 server */
	int64_t index;     /* among that direction's frames */
	int64_t packet;    /* its first packet: the lookup uses that index */
};

/* What the connection view opens: a connection, a frame selected or not. */
struct browse_conn_ref {
	int64_t                        conn;
	const struct browse_frame_ref *select;   /* NULL: the first frame */
};

/*
 * What the message view opens: a connection, with the message holding a
 * frame selected (frame), or a message (msg: its first packet, direction
 * and message_id), or the first one.
 */
struct browse_msg_ref {
	int64_t                        conn;
	const struct browse_frame_ref *frame;
	const struct browse_wkey      *msg;
};

struct browse_view {
	const char              *name;
	const struct browse_key *keys;   /* this view's keys, help lists them */
	const char              *hints;  /* the keys the status line names, or "" */
	/* Returns the view's data, or NULL (message in the status line). */
	void	*(*init)(struct browse *, const void *arg);
	void	 (*free)(void *);
	/* Draws rows [0, rows) of the screen; the core draws the status. */
	void	 (*draw)(void *, int rows, int cols);
	void	 (*key)(void *, enum browse_cmd, int arg);
	void	 (*resize)(void *, int rows, int cols);
	/* Where we are, for the status line: "connections 3/120". */
	void	 (*status)(void *, char *, size_t);
	/* What ? adds below the keys (the rules of what is shown); or NULL. */
	void	 (*help)(void *, struct browse_text *, int cols);
	/* Selects a connection when : went to it from above; or NULL. */
	void	 (*reveal)(void *, int64_t conn);
};

extern const struct browse_view browse_connections_view;
extern const struct browse_view browse_connection_view;
extern const struct browse_view browse_frame_view;
extern const struct browse_view browse_messages_view;
extern const struct browse_view browse_help_view;

/* Starts curses (once; browse_run starts it when nobody did). */
void	 browse_start(void);
/* Ends curses when it was started, e.g. before an error message. */
void	 browse_end(void);
/* Runs the browser on an open database until Q; returns the exit status. */
int	 browse_run(sqlite3 *db, const char *title);

sqlite3	*browse_db(struct browse *);
/* Prepares a statement on the database; -1, said on the status line, if not. */
int	 browse_prepare(struct browse *, const char *, sqlite3_stmt **);
/* Pushes a view above the current one; returns -1 when init failed. */
int	 browse_push(struct browse *, const struct browse_view *,
	    const void *);
/* One line for the status line until the next key. */
void	 browse_message(struct browse *, const char *, ...)
		__attribute__((format(printf, 2, 3)));
/* Reads a line on the status line; -1 on Escape or an empty line. */
int	 browse_prompt(struct browse *, const char *, char *, size_t);
/* The same, the line starting as buf holds it (a default to edit). */
int	 browse_prompt_edit(struct browse *, const char *, char *, size_t);
/*
 * Shows text (escaped, wrapped at spaces) under a title in a box at the
 * bottom of the screen until a key is pressed; the key is not a command.
 */
void	 browse_popup(struct browse *, const char *title, const char *text);
/* Asks a yes-or-no question on the status line: 1 for y, else 0. */
int	 browse_confirm(struct browse *, const char *);
/* Wide-character-aware, escaped, clipped output; returns columns used. */
int	 browse_put(int y, int x, int width, const char *);
int	 browse_putf(int y, int x, int width, const char *, ...)
		__attribute__((format(printf, 4, 5)));
/* The same, ending in an ellipsis when the text does not fit. */
int	 browse_put_ell(int y, int x, int width, const char *);
/* The columns a string takes once escaped. */
int	 browse_width(const char *);
/* The attribute of a verdict or finding class (colour or plain). */
int	 browse_class_attr(const char *);
int	 browse_color(void);
/* The attribute of what a side sent: 0 the client, 1 the server. */
int	 browse_dir_attr(int);
/* The current view's and the global key tables, for the help view. */
const struct browse_key *browse_global_keys(void);
const struct browse_view *browse_below(struct browse *);
void	*browse_below_data(struct browse *);

/*
 * Packet numbers restart in every capture, so a packet is looked up in
 * one: the capture of what the view shows. browse_packet_prompt asks for
 * a number (naming the capture when the database holds several; in a
 * capture set of several files, FILE:NUMBER); -1 when
 * none was given. browse_packet_find fills ref with the frame carrying
 * the packet and returns 1, or with the connection that holds it (index
 * -1) and returns 0; -1, said on the status line, when no connection of
 * the capture holds it.
 */
int	 browse_packet_prompt(struct browse *, int64_t capture, int64_t *);
/*
 * The packet as the prompt was given it (in a capture set FILE:NUMBER,
 * which the prompt turned into the packet's ordinal in the set).
 */
const char *browse_packet_said(const struct browse *);
int	 browse_packet_find(struct browse *, int64_t capture, int64_t,
	    struct browse_frame_ref *);
/*
 * After the current key: back to the connection list, then the
 * connection of ref with its frame selected, and the frame itself when
 * open_frame is set.
 */
void	 browse_goto(struct browse *, const struct browse_frame_ref *,
	    int open_frame);
/*
 * The same for a message: its connection with the message's first frame
 * (ref) selected, then the message view on msg.
 */
void	 browse_goto_message(struct browse *, const struct browse_frame_ref *,
	    const struct browse_wkey *msg);

/*
 * The place of a frame or message in a connection's wire order: its first
 * packet, then its direction, then its index in that direction.
 */
struct browse_wkey {
	int64_t packet;
	int     dir;
	int64_t index;
};
/*
 * The two directions of a connection merged in wire order (browse-wire.c):
 * st takes ?1 the connection, ?2 a direction, ?3 an index and gives the
 * item's first packet; n counts each direction's items.
 */
struct browse_wire {
	sqlite3_stmt *st;
	int64_t       conn, n[2];
};
/*
 * Counts a connection's items in table (frame_t or message_t, index the
 * column numbering them in a direction) and prepares st; -1 when not.
 */
int	 browse_wire_open(struct browse *, struct browse_wire *, int64_t conn,
	    const char *table, const char *index);
int	 browse_wkey_cmp(const struct browse_wkey *, const struct browse_wkey *);
/* Item i of a direction's key; -1 when there is none. */
int	 browse_wire_key(struct browse_wire *, int, int64_t,
	    struct browse_wkey *);
/* How many items of a direction come before k. */
int64_t	 browse_wire_before(struct browse_wire *, int,
	    const struct browse_wkey *);
/* The merged position of k (the items of both directions before it). */
int64_t	 browse_wire_position(struct browse_wire *, const struct browse_wkey *);
/* The items of each direction before merged position pos, in c[0], c[1]. */
void	 browse_wire_split(struct browse_wire *, int64_t pos, int64_t *c);

/* A frame a finding names, with the finding's class and rule. */
struct browse_mark {
	struct browse_wkey k;
	char               cls[16];
	char               rule[64];
};
/*
 * The frames the findings of a connection name (their own and the one
 * that provoked them), in wire order, at most 4096 (*cut then set); the
 * caller frees the array.
 */
struct browse_mark *browse_marks_load(struct browse *, int64_t conn, int *n,
	    int *cut);

/* A scrolled list: n rows, sel selected, top first on screen. */
struct browse_list {
	int64_t n, sel, top;
	int     rows;
};
/* Moves for a movement command; returns 1 when it was one. */
int	 browse_list_move(struct browse_list *, enum browse_cmd);
void	 browse_list_fit(struct browse_list *);

/*
 * The keys every list shares, with what they ask of the view: moves
 * (a page down by the view's own measure when it has one), / to ask
 * for the search, n and N to go on with it, ] and [ to the findings, :
 * to a packet. Each view's key callback handles only its own keys
 * after browse_list_key.
 */
struct browse_list_ops {
	const char *prompt;                     /* what / asks */
	/* 0 from the selection, 1 the next match, -1 the previous one. */
	void	(*find)(void *, int dir);
	/* After / changed the search, before find; or NULL. */
	void	(*searched)(void *);
	void	(*page_down)(void *);           /* or NULL: a page of rows */
	void	(*moved)(void *);               /* after any move; or NULL */
	void	(*finding)(void *, int dir);    /* ] 1, [ -1; or NULL */
	void	(*packet)(void *);              /* :; or NULL */
};
/* Returns 1 when cmd was one of the shared keys (and done). */
int	 browse_list_key(struct browse *, struct browse_list *,
	    const struct browse_list_ops *, void *, enum browse_cmd);
/*
 * The search's text, "" before any: one for every view, so n goes on in
 * a view opened from the one / was typed in.
 */
const char *browse_search_text(struct browse *);

/*
 * The payload search (browse-search.c): the messages whose stored
 * payload (unmasked, inflated) holds the search, bytes as typed, in
 * (connection, wire order) over every connection.
 */
struct browse_hit {
	int64_t            conn;
	struct browse_wkey k;            /* index: the message_id */
	int64_t            first_frame;
};
/*
 * The next (dir 1), previous (-1) or first from here (0) match after
 * message here of connection conn (here->packet -1: from the start of
 * conn), wrapping at the ends unless within (then in conn only): 1 and
 * *hit set, with *wrapped when it wrapped; 0 none; -1 an error said.
 */
int	 browse_payload_find(struct browse *, int64_t conn,
	    const struct browse_wkey *here, int dir, int within,
	    struct browse_hit *, int *wrapped);
/*
 * Says on the status line what the search found (hit NULL: nothing),
 * with how many messages only their stored prefix could be searched in,
 * and the command that searches them whole.
 */
void	 browse_payload_say(struct browse *, const struct browse_hit *,
	    int wrapped);
/* After the current key: the message view of hit's connection on it. */
void	 browse_payload_open(struct browse *, const struct browse_hit *);

/* Lines of text a view builds for its width and scrolls. */
struct browse_line {
	int   attr;
	char *text;      /* escaped */
};
struct browse_text {
	struct browse_line *lines;
	size_t              n, cap;
	size_t              hit;     /* the line a search found, plus 1 */
};
void	 browse_text_add(struct browse_text *, int attr, const char *, ...)
		__attribute__((format(printf, 3, 4)));
/* Escapes text and wraps it at spaces to width columns after indent. */
void	 browse_text_wrap(struct browse_text *, int attr, const char *indent,
	    int width, const char *text);
void	 browse_text_clear(struct browse_text *);
/* A view that is a page of text: draws it, scrolls it (1: a move). */
void	 browse_text_draw(const struct browse_text *,
	    const struct browse_list *, int rows, int cols);
int	 browse_text_scroll(struct browse_list *, enum browse_cmd);

/*
 * For the help: the rules of the findings matching where, in which ?1 is
 * the connection, ?2 a sender and ?3 a frame index. The text comes from
 * the rule table when it knows the rule, else from the database.
 */
void	 browse_rules_text(struct browse_text *, sqlite3 *, int cols,
	    const char *where, int64_t conn, int dir, int64_t index);

/* Small helpers the views share. */
const char *browse_col_text(sqlite3_stmt *, int);
const char *browse_opcode_name(int);
/* "12:34:56.789012" (local time) from seconds. */
void	 browse_time(double, char *, size_t);
/*
 * The same with the date before it ("2026-11-27 12:34:56.789012") when
 * date is set, and the zone after it (" CET") when zone is set.
 */
void	 browse_time_fmt(double, int date, int zone, char *, size_t);
/* The zone's abbreviation at that time ("UTC", "CEST"). */
void	 browse_zone(double, char *, size_t);
/* 1 when the database's connections span more than one local day. */
int	 browse_days(void);
/*
 * Binary bytes, never decoded: printable ASCII passes (a backslash
 * doubled, as esc_wire does), every other byte is \xNN; "..." ends what
 * does not fit. Returns the bytes written.
 */
size_t	 browse_bytes(const uint8_t *, size_t, char *, size_t);
/*
 * / n N on a page of text: / asks for a text (pat holds it), n and N
 * find it in the lines after or before the top one, wrapping, scroll the
 * line found to the top and show it reversed. Returns 1 when cmd was one
 * of them.
 */
int	 browse_text_search(struct browse *, struct browse_text *,
	    struct browse_list *, char *pat, size_t, enum browse_cmd);
/* Case-insensitive (ASCII) substring test. */
int	 browse_match(const char *, const char *);
/* "721K", "3.4M". */
void	 browse_size(int64_t, char *, size_t);

#endif
