/*
 * shmforeign: a segment made by "another tool" (not mxcanvas), for tests of
 * foreign segments and for tests that must tell mxcanvas's segments from
 * everybody else's.
 *
 *     shmforeign KEY SIZE ?MODE? ?FILLBYTE?
 *
 * KEY is "private" (IPC_PRIVATE) or a number (0x... allowed). Creates the
 * segment (IPC_CREAT|IPC_EXCL, MODE octal, default 0600), fills it with
 * FILLBYTE or, without one, bytes i % 251, prints its shmid and exits
 * without removing it: like a crashed program, its creator is gone and
 * nothing is attached. Tests remove it with ipcrm or the package.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: shmforeign KEY|private SIZE ?MODE? ?FILLBYTE?\n");
        return 2;
    }
    key_t key = strcmp(argv[1], "private") == 0 ? IPC_PRIVATE : (key_t)strtoul(argv[1], NULL, 0);
    size_t size = (size_t)strtoull(argv[2], NULL, 0);
    int mode = argc >= 4 ? (int)strtol(argv[3], NULL, 8) : 0600;
    int fill = argc == 5 ? atoi(argv[4]) : -1;
    int id = shmget(key, size, IPC_CREAT | IPC_EXCL | (mode & 0777));
    if (id == -1) {
        fprintf(stderr, "shmforeign: shmget: %s\n", strerror(errno));
        return 1;
    }
    unsigned char *p = shmat(id, NULL, 0);
    if (p == (void *)-1) {
        fprintf(stderr, "shmforeign: shmat: %s\n", strerror(errno));
        shmctl(id, IPC_RMID, NULL);
        return 1;
    }
    for (size_t i = 0; i < size; i++)
        p[i] = (unsigned char)(fill >= 0 ? fill : (int)(i % 251));
    shmdt(p);
    printf("%d\n", id);
    return 0;
}
