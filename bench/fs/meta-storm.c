/*
 * meta-storm: a metadata storm in one directory, timed per phase.
 *
 *   meta-storm <dir> <files> [bytes-per-file]
 *
 * <dir> is created first (if missing) and removed at the end, so the caller never has to
 * touch the mount itself. Phase 1 creates <files> small files (open O_CREAT|O_EXCL, write, close), phase 2 stats
 * each, phase 3 unlinks each. Prints one JSON object with the seconds per phase. Written
 * in C so the client side adds no runtime overhead of its own to what is measured.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "meta-storm: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

int main(int argc, char *argv[])
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s <dir> <files> [bytes-per-file]\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	long files = strtol(argv[2], NULL, 10);
	long bytes = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
	if (files <= 0 || bytes < 0 || bytes > 65536) {
		fprintf(stderr, "meta-storm: bad file count or size\n");
		return 2;
	}
	char payload[65536];
	memset(payload, 'x', sizeof(payload));
	char path[4096];
	struct stat st;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		die("mkdir", dir);

	double t0 = now();
	for (long i = 0; i < files; i++) {
		snprintf(path, sizeof(path), "%s/f%06ld", dir, i);
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd == -1)
			die("create", path);
		if (bytes > 0 && write(fd, payload, (size_t)bytes) != bytes)
			die("write", path);
		if (close(fd) == -1)
			die("close", path);
	}
	double t1 = now();
	for (long i = 0; i < files; i++) {
		snprintf(path, sizeof(path), "%s/f%06ld", dir, i);
		if (stat(path, &st) == -1)
			die("stat", path);
		if (st.st_size != bytes) {
			fprintf(stderr, "meta-storm: %s has size %ld, expected %ld\n", path, (long)st.st_size, bytes);
			return 1;
		}
	}
	double t2 = now();
	for (long i = 0; i < files; i++) {
		snprintf(path, sizeof(path), "%s/f%06ld", dir, i);
		if (unlink(path) == -1)
			die("unlink", path);
	}
	double t3 = now();
	if (rmdir(dir) == -1)
		die("rmdir", dir);
	printf("{\"files\":%ld,\"bytes\":%ld,\"create_s\":%.6f,\"stat_s\":%.6f,\"unlink_s\":%.6f,\"total_s\":%.6f}\n",
	       files, bytes, t1 - t0, t2 - t1, t3 - t2, t3 - t0);
	return 0;
}
