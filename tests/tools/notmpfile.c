/*
 * notmpfile.so: an LD_PRELOAD library that makes the system look like a
 * file system without O_TMPFILE (vfat, NFS before 4.2, older kernels):
 * every open/openat asking for O_TMPFILE fails with EOPNOTSUPP, as such a
 * file system answers; every other open goes through unchanged.
 *
 *     LD_PRELOAD=tests/tools/bin/notmpfile.so tclsh script.tcl
 *
 * tests/savesafety.test uses it to check that saves fall back to named
 * temporary files and still keep modes and replace pairs all or nothing
 * (issue 17). NOTMPFILE_LOG, when set, gets one line per refused open.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int refused(void)
{
    const char *path = getenv("NOTMPFILE_LOG");
    if (path != NULL) {
        static int (*real_open)(const char *, int, ...);
        if (real_open == NULL)
            real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
        int fd = real_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) {
            ssize_t ignored = write(fd, "O_TMPFILE refused\n", 18);
            (void)ignored;
            close(fd);
        }
    }
    errno = EOPNOTSUPP;
    return -1;
}

static mode_t mode_of(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

#define WRAP_OPEN(name)                                                            \
    int name(const char *path, int flags, ...)                                     \
    {                                                                              \
        static int (*real)(const char *, int, ...);                                \
        va_list ap;                                                                \
        va_start(ap, flags);                                                       \
        mode_t mode = mode_of(flags, ap);                                          \
        va_end(ap);                                                                \
        if ((flags & O_TMPFILE) == O_TMPFILE)                                      \
            return refused();                                                      \
        if (real == NULL)                                                          \
            real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name);       \
        return real(path, flags, mode);                                            \
    }

#define WRAP_OPENAT(name)                                                          \
    int name(int dir, const char *path, int flags, ...)                            \
    {                                                                              \
        static int (*real)(int, const char *, int, ...);                           \
        va_list ap;                                                                \
        va_start(ap, flags);                                                       \
        mode_t mode = mode_of(flags, ap);                                          \
        va_end(ap);                                                                \
        if ((flags & O_TMPFILE) == O_TMPFILE)                                      \
            return refused();                                                      \
        if (real == NULL)                                                          \
            real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, #name);  \
        return real(dir, path, flags, mode);                                       \
    }

WRAP_OPEN(open)
WRAP_OPEN(open64)
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)
