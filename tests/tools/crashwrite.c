/*
 * crashwrite: an external program that dies in the middle of its work.
 *
 *     crashwrite SHMID abort|segv
 *
 * Attaches SHMID read-write, writes 0xAB into the first half of the segment
 * and then dies by abort() or by a real invalid write (SIGSEGV), without
 * calling shmdt: the kernel detaches it when it dies.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/resource.h>
#include <sys/shm.h>

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[2], "abort") && strcmp(argv[2], "segv"))) {
        fprintf(stderr, "usage: crashwrite SHMID abort|segv\n");
        return 2;
    }
    /* No core file: the crash is the point, not its post-mortem. */
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    int shmid = atoi(argv[1]);
    struct shmid_ds ds;
    if (shmctl(shmid, IPC_STAT, &ds) == -1) {
        fprintf(stderr, "crashwrite: IPC_STAT: %s\n", strerror(errno));
        return 1;
    }
    unsigned char *p = shmat(shmid, NULL, 0);
    if (p == (void *)-1) {
        fprintf(stderr, "crashwrite: shmat: %s\n", strerror(errno));
        return 1;
    }
    memset(p, 0xAB, ds.shm_segsz / 2);
    if (strcmp(argv[2], "abort") == 0)
        abort();
    volatile int *volatile bad = NULL; /* volatile: the compiler cannot know it is NULL */
    *bad = 1; /* SIGSEGV */
    return 0;
}
