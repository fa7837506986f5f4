#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "tmpfile.h"

FILE *
tf_create(char *path, size_t len, const char *suffix)
{
	static unsigned n;
	const char     *dir = getenv("TMPDIR");
	FILE           *f;
	int             fd, w, tries;

	for (tries = 0; tries < 1000; tries++) {
		w = snprintf(path, len, "%s/wsa-%ld-%u%s", dir != NULL &&
		    *dir != '\0' ? dir : "/tmp", (long)getpid(), n++, suffix);
		if (w < 0 || (size_t)w >= len) {
			if (dir == NULL)
				break;
			dir = NULL;     /* too long: /tmp */
			continue;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd >= 0) {
			if ((f = fdopen(fd, "wb")) == NULL)
				close(fd);
			return f;
		}
		if (errno != EEXIST)
			return NULL;
	}
	errno = ENAMETOOLONG;
	return NULL;
}
