/* See detach.h. */
#include "detach.h"

#include <errno.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/wait.h>

extern char **environ;

int ip_detach_mount(const char *mountpoint) {
  if (umount2(mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) == 0) return 0;
  if (errno != EPERM) return -errno;
  /* A user's mount, made through the setuid fusermount3: it may detach it too. */
  char *argv[] = {"fusermount3", "-u", "-z", "-q", "--", (char *)mountpoint, NULL};
  pid_t pid;
  int err = posix_spawnp(&pid, "fusermount3", NULL, NULL, argv, environ);
  if (err != 0) return -err;
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -errno;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}
