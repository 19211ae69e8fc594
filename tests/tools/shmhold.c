/*
 * shmhold: a test stand-in for an external program that stays attached.
 *
 *     shmhold SHMID
 *
 * Attaches SHMID read-write, prints "attached SIZE" and waits for a line on
 * stdin. Then it writes 0..255 into the first bytes, reads them back, prints
 * "ok" (or "corrupt"), detaches and exits. Used to check that a segment freed
 * while a program is attached keeps working until the program detaches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: shmhold SHMID\n");
        return 2;
    }
    int shmid = atoi(argv[1]);
    struct shmid_ds ds;
    if (shmctl(shmid, IPC_STAT, &ds) == -1) {
        fprintf(stderr, "shmhold: IPC_STAT: %s\n", strerror(errno));
        return 1;
    }
    unsigned char *p = shmat(shmid, NULL, 0);
    if (p == (void *)-1) {
        fprintf(stderr, "shmhold: shmat: %s\n", strerror(errno));
        return 1;
    }
    printf("attached %zu\n", (size_t)ds.shm_segsz);
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin))
        line[0] = '\0';
    size_t n = ds.shm_segsz < 256 ? ds.shm_segsz : 256;
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)i;
    int good = 1;
    for (size_t i = 0; i < n; i++)
        good &= p[i] == (unsigned char)i;
    printf("%s\n", good ? "ok" : "corrupt");
    fflush(stdout);
    return shmdt(p) == 0 && good ? 0 : 1;
}
