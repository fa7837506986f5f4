/*
 * replay: runs one fuzz target's LLVMFuzzerTestOneInput on saved inputs,
 * without libFuzzer, so crashes once found stay fixed.
 *
 * usage: replay-TARGET [FILE|DIR ...]
 * With no argument it replays $top_srcdir/fuzz/regress/TARGET and
 * $top_srcdir/fuzz/corpus/TARGET (the make check case) and fails when it
 * found nothing to replay. Each input is copied into a buffer of exactly
 * its size, as libFuzzer does, so a read past the end is caught under
 * AddressSanitizer.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the target"
#endif

static int	replay_file(const char *);
static int	replay_dir(const char *, int);
static int	replay_path(const char *, int);
static int	replay_name_cmp(const void *, const void *);

static int	replay_count;

static int
replay_file(const char *path)
{
	FILE	*f;
	uint8_t	*buf;
	long	 len;
	size_t	 got;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: %s: cannot size\n", path);
		fclose(f);
		return -1;
	}
	/* Exact size (one byte for an empty input): ASan sees any read past it. */
	if ((buf = malloc(len > 0 ? (size_t)len : 1)) == NULL) {
		fclose(f);
		return -1;
	}
	got = fread(buf, 1, (size_t)len, f);
	fclose(f);
	if (got != (size_t)len) {
		fprintf(stderr, "replay: %s: short read\n", path);
		free(buf);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	replay_count++;
	return 0;
}

static int
replay_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the directory's files in name order, so runs are reproducible. */
static int
replay_dir(const char *dir, int missing_ok)
{
	DIR		 *d;
	struct dirent	 *de;
	char		**names = NULL, path[4096];
	size_t		  n = 0, cap = 0, i;
	int		  rc = 0;

	if ((d = opendir(dir)) == NULL) {
		if (missing_ok && errno == ENOENT)
			return 0;
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof *names);
			if (names == NULL)
				abort();
		}
		if ((names[n++] = strdup(de->d_name)) == NULL)
			abort();
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, replay_name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (replay_path(path, 0) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

static int
replay_path(const char *path, int missing_ok)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (missing_ok && errno == ENOENT)
			return 0;
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return replay_dir(path, missing_ok);
	return replay_file(path);
}

int
main(int argc, char **argv)
{
	const char	*top = getenv("top_srcdir");
	char		 dir[4096];
	int		 i, rc = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (replay_path(argv[i], 0) != 0)
				rc = 1;
	} else {
		if (top == NULL)
			top = ".";
		snprintf(dir, sizeof dir, "%s/fuzz/regress/%s", top,
		    FUZZ_TARGET);
		if (replay_path(dir, 1) != 0)
			rc = 1;
		snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", top,
		    FUZZ_TARGET);
		if (replay_path(dir, 0) != 0)
			rc = 1;
		if (replay_count == 0) {
			fprintf(stderr, "replay: no input for %s under %s\n",
			    FUZZ_TARGET, top);
			rc = 1;
		}
	}
	printf("replay-%s: %d input%s\n", FUZZ_TARGET, replay_count,
	    replay_count == 1 ? "" : "s");
	return rc;
}
