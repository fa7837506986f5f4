/*
 * tmpfile: a new file of a test's own, under TMPDIR (or /tmp when TMPDIR
 * is unset or too long for path), named by the process, a counter and a
 * suffix. It is created with O_EXCL, so nothing already there is reused
 * or followed. The caller removes it.
 */
#ifndef TMPFILE_H
#define TMPFILE_H

#include <stddef.h>
#include <stdio.h>

/* Opened for writing ("wb"), its name in path; NULL with errno set. */
FILE *tf_create(char *path, size_t len, const char *suffix);

#endif
