/*
 * shmmake: make a segment the way some other tool would (not mxcanvas).
 *
 *     shmmake SIZE ?MODE? ?FILLBYTE?
 *
 * Creates an IPC_PRIVATE segment of SIZE bytes with octal MODE (default
 * 600), fills it with FILLBYTE (default 0), prints its shmid and exits
 * without removing it. Tests remove it with ipcrm or the package.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: shmmake SIZE ?MODE? ?FILLBYTE?\n");
        return 2;
    }
    size_t size = strtoull(argv[1], NULL, 10);
    int mode = argc > 2 ? (int)strtol(argv[2], NULL, 8) : 0600;
    int fill = argc > 3 ? atoi(argv[3]) : 0;
    int id = shmget(IPC_PRIVATE, size, IPC_CREAT | IPC_EXCL | mode);
    if (id == -1) {
        fprintf(stderr, "shmmake: shmget: %s\n", strerror(errno));
        return 1;
    }
    unsigned char *p = shmat(id, NULL, 0);
    if (p == (void *)-1) {
        fprintf(stderr, "shmmake: shmat: %s\n", strerror(errno));
        shmctl(id, IPC_RMID, NULL);
        return 1;
    }
    memset(p, fill, size);
    shmdt(p);
    printf("%d\n", id);
    return 0;
}
