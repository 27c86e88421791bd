/*
 * statx() without AT_NO_AUTOMOUNT when the kernel refuses that flag.
 *
 * gVisor releases before 2023 (Debian bookworm's runsc among them) answer
 * EINVAL to statx() with AT_NO_AUTOMOUNT, which coreutils 9 passes: `ls -l`,
 * `ls <path>` and `stat` fail on every file. A sandbox has no automount
 * points, so asking again without the flag gives the same answer the flag
 * would have. sandboxd preloads this (LD_PRELOAD) in gVisor sandboxes only;
 * on any other kernel the first call succeeds and nothing changes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

typedef int (*statx_fn)(int, const char *, int, unsigned int, struct statx *);

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf) {
  static statx_fn real;
  if (!real) real = (statx_fn)dlsym(RTLD_NEXT, "statx");
  if (!real) {
    errno = ENOSYS;
    return -1;
  }
  int saved = errno;
  int r = real(dirfd, path, flags, mask, buf);
  if (r != 0 && errno == EINVAL && (flags & AT_NO_AUTOMOUNT)) {
    errno = saved;
    r = real(dirfd, path, flags & ~AT_NO_AUTOMOUNT, mask, buf);
  }
  return r;
}
