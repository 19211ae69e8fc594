/*
 * shmtrace.so: an LD_PRELOAD library that logs the System V shared memory
 * calls a program makes, in the order it makes them, then makes them.
 *
 *     SHMTRACE_LOG=/tmp/log LD_PRELOAD=tests/tools/bin/shmtrace.so tool ...
 *
 * One line per call, appended to $SHMTRACE_LOG: "shmget KEY SIZE -> ID"
 * (KEY in hex; logged after the call, with the id it returned), "shmat ID",
 * "shmctl ID IPC_STAT" (or the command's number: 0 is IPC_RMID), "shmdt". Without SHMTRACE_LOG it only
 * passes the calls on. It interposes on the C library's symbols, so it sees
 * C programs (mxcanvas.h), Rust programs (the libc crate) and Python's
 * ctypes alike. tests/types-kit.test uses it to check that every kit
 * attaches before it checks the size (issue 9: the size must belong to the
 * mapped segment). No strace needed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

static void note(const char *line)
{
    const char *path = getenv("SHMTRACE_LOG");
    if (path == NULL)
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd == -1)
        return;
    /* one write per line: lines of concurrent callers do not interleave */
    ssize_t ignored = write(fd, line, strlen(line));
    (void)ignored;
    close(fd);
}

static void *next(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (f == NULL) {
        fprintf(stderr, "shmtrace: no %s after this library\n", name);
        abort();
    }
    return f;
}

int shmget(key_t key, size_t size, int flags)
{
    int (*real)(key_t, size_t, int) = (int (*)(key_t, size_t, int))next("shmget");
    int id = real(key, size, flags);
    char line[96];
    snprintf(line, sizeof line, "shmget 0x%08x %zu -> %d\n", (unsigned)key, size, id);
    note(line);
    return id;
}

void *shmat(int shmid, const void *addr, int flags)
{
    char line[64];
    snprintf(line, sizeof line, "shmat %d\n", shmid);
    note(line);
    void *(*real)(int, const void *, int) = (void *(*)(int, const void *, int))next("shmat");
    return real(shmid, addr, flags);
}

int shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
    char line[64];
    if (cmd == IPC_STAT)
        snprintf(line, sizeof line, "shmctl %d IPC_STAT\n", shmid);
    else
        snprintf(line, sizeof line, "shmctl %d %d\n", shmid, cmd);
    note(line);
    int (*real)(int, int, struct shmid_ds *) = (int (*)(int, int, struct shmid_ds *))next("shmctl");
    return real(shmid, cmd, buf);
}

int shmdt(const void *addr)
{
    note("shmdt\n");
    int (*real)(const void *) = (int (*)(const void *))next("shmdt");
    return real(addr);
}
