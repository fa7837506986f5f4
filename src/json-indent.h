/*
 * json-indent: minified JSON (SQLite's json(), no whitespace outside
 * strings) laid out two spaces a level, for people. SQLite older than
 * 3.46 has no json_pretty().
 */
#ifndef JSON_INDENT_H
#define JSON_INDENT_H

#include <stddef.h>

/*
 * The indented text, NUL-terminated, in a buffer the caller frees; *outlen
 * its length. Any bytes are safe input: each input byte is copied once, in
 * order, and only newlines and spaces are added, outside strings (a string
 * runs from a quote to the next quote not escaped by a backslash). An empty
 * object or array stays "{}" or "[]".
 */
char *json_indent(const char *, size_t, size_t *outlen);

/*
 * json_indent's lines one at a time, without their newline, each escaped
 * for a terminal (esc_terminal: JSON text holds no raw control byte, so
 * its backslashes stay as they are), to fn with arg.
 */
void	 json_indent_lines(const char *, size_t,
	    void (*fn)(void *, const char *), void *arg);

#endif
