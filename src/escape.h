/*
 * escape: turning bytes from the wire (reasons, header values, payloads)
 * into text that is safe to print or to put in a CSV file (JSON is built
 * by SQLite's JSON functions, over this terminal-safe text). Shared
 * by the store (display columns), the report and the browser.
 *
 * All three functions take any bytes, write a NUL-terminated result of at
 * most outlen - 1 bytes that is valid UTF-8, and return the bytes written
 * (NUL excluded). When the result does not fit it ends with "..." and no
 * escape sequence is ever cut in half. outlen 0 writes nothing.
 */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Terminal-safe text: printable UTF-8 passes (backslash included, so the
 * function is idempotent on its own output); tab, newline and carriage
 * return become \t \n \r; other C0 controls, ESC and DEL become \xNN;
 * bytes that are not valid UTF-8 become \xNN; valid code points that steer
 * the display (C1 controls, bidirectional overrides and isolates,
 * zero-width characters, line and paragraph separators, the BOM, tag
 * characters) become \u and four hex digits (\U and eight above U+FFFF).
 */
size_t esc_terminal(const uint8_t *p, size_t n, char *out, size_t outlen);

/*
 * Bytes from the wire, unambiguous: esc_terminal's text with each
 * backslash doubled, so a wire "\x1b" (four characters) reads "\\x1b"
 * and only a real ESC byte reads "\x1b". Not idempotent: apply it once, to
 * raw bytes; esc_terminal is the one for text that may be escaped already.
 */
size_t esc_wire(const uint8_t *p, size_t n, char *out, size_t outlen);

/*
 * CSV field (RFC 4180): the terminal-safe text of esc_terminal, within
 * double quotes (inner quotes doubled) when it holds a comma, a quote or
 * a leading or trailing space. The escaping leaves no line break in a field.
 */
size_t esc_csv(const uint8_t *p, size_t n, char *out, size_t outlen);

/* Convenience for NUL-terminated strings. */
size_t esc_terminal_str(const char *s, char *out, size_t outlen);

#endif
