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

#endif
