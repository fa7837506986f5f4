/*
 * Small helpers: checked allocation, diagnostics, number parsing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "wsautopsy.h"

const char *wsa_progname = "wsautopsy";

static void util_oom(void) __attribute__((noreturn));

static void
util_oom(void)
{
	fprintf(stderr, "%s: out of memory\n", wsa_progname);
	exit(EXIT_INPUT);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		util_oom();
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL)
		util_oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		util_oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		util_oom();
	return p;
}

static void
util_vwarn(const char *cmd, const char *fmt, va_list ap)
{
	char buf[1024], safe[4096];

	vsnprintf(buf, sizeof buf, fmt, ap);
	/* Messages name files and quote peers: both may hold escapes. */
	esc_terminal_str(buf, safe, sizeof safe);
	fprintf(stderr, "%s%s%s: %s\n", wsa_progname, cmd != NULL ? " " : "",
	    cmd != NULL ? cmd : "", safe);
}

void
wsa_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vwarn(NULL, fmt, ap);
	va_end(ap);
}

void
wsa_warn_cmd(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vwarn(cmd, fmt, ap);
	va_end(ap);
}

int
parse_size(const char *s, uint64_t *out)
{
	char     *end;
	uint64_t  v, mul = 1;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mul = 1ULL << 10;
		end++;
		break;
	case 'm': case 'M':
		mul = 1ULL << 20;
		end++;
		break;
	case 'g': case 'G':
		mul = 1ULL << 30;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && !((*end == 'B' || *end == 'b') && end[1] == '\0'))
		return -1;
	if (v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

const char *
wts_format(struct wts t, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRId64 ".%09u", t.sec, t.nsec);
	return buf;
}

double
wts_double(struct wts t)
{
	return (double)t.sec + (double)t.nsec / 1e9;
}

int64_t
wts_ns_between(struct wts a, struct wts b)
{
	int64_t ds, ns;

	if (__builtin_sub_overflow(b.sec, a.sec, &ds) ||
	    __builtin_mul_overflow(ds, (int64_t)1000000000, &ns) ||
	    __builtin_add_overflow(ns, (int64_t)b.nsec - (int64_t)a.nsec, &ns))
		return b.sec < a.sec ? INT64_MIN : INT64_MAX;
	return ns;
}

/* Tries names beside path until one is made: 0, or -1 with errno. */
static int
util_temp(const char *path, const char *suffix, int dir, char **name,
    int *fd)
{
	static unsigned long counter;
	size_t               len = strlen(path) + strlen(suffix) + 48;
	char                *p = xmalloc(len);
	int                  tries;

	for (tries = 0; tries < 1000; tries++) {
		snprintf(p, len, "%s.%ld.%lu%s", path, (long)getpid(),
		    counter++, suffix);
		if (dir ? mkdir(p, 0777) == 0 : (*fd = open(p, O_WRONLY |
		    O_CREAT | O_EXCL | O_CLOEXEC, 0666)) >= 0) {
			*name = p;
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	free(p);
	return -1;
}

int
wsa_temp_file(const char *path, const char *suffix, char **name)
{
	int fd = -1;

	return util_temp(path, suffix, 0, name, &fd) == 0 ? fd : -1;
}

int
wsa_temp_dir(const char *path, char **name)
{
	return util_temp(path, "", 1, name, NULL);
}
