/*
 * cycle: the C references for `make bench` — the transport cycle that
 * MxExternCanvas + MxInternCanvas ... 1 perform, written directly in C.
 *
 *     cycle VARIANT BYTES SAMPLES INNER
 *
 * One cycle: shmget(IPC_PRIVATE, BYTES), shmat, copy a resident buffer (the
 * "canvas") into the fresh segment, copy the segment back into the buffer,
 * IPC_RMID, shmdt. VARIANT:
 *   naive     single-threaded memcpy both ways (reference (b));
 *   parallel  both copies split into one piece per online CPU, one thread
 *             each (reference (b2): what plain C gets from all cores);
 *   best      parallel, and each thread prefaults its piece of the fresh
 *             segment with MADV_POPULATE_WRITE first (what the kernel offers
 *             beyond (b2); for information);
 *   memcpy    no segment: one memcpy of BYTES between two resident
 *             buffers, single-threaded (the memory speed bulk operations
 *             are compared with).
 * Threads are only used from 4 MiB up, as in the package (below, a second
 * thread costs more than it saves on these machines).
 * Prints SAMPLES lines, each the mean time of INNER cycles in nanoseconds,
 * after one untimed warm-up cycle.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

enum variant { NAIVE, PARALLEL, BEST, MEMCPY };

struct piece {
    char *dst;
    const char *src;
    size_t len;
    int prefault;
};

static void *copy_piece(void *arg)
{
    struct piece *p = arg;
    if (p->prefault) {
        long page = sysconf(_SC_PAGESIZE);
        uintptr_t start = ((uintptr_t)p->dst + page - 1) & ~(uintptr_t)(page - 1);
        uintptr_t end = ((uintptr_t)p->dst + p->len) & ~(uintptr_t)(page - 1);
        if (end > start)
            madvise((void *)start, end - start, MADV_POPULATE_WRITE);
    }
    memcpy(p->dst, p->src, p->len);
    return NULL;
}

static void copy(char *dst, const char *src, size_t len, int threads, int prefault)
{
    if (len < (4u << 20) || threads < 2) {
        struct piece p = {dst, src, len, prefault && len >= (64u << 10)};
        copy_piece(&p);
        return;
    }
    struct piece pieces[64];
    pthread_t tids[64];
    if (threads > 64)
        threads = 64;
    size_t chunk = (len / threads + 4095) & ~(size_t)4095;
    int n = 0;
    for (size_t off = 0; off < len && n < threads; off += chunk, n++) {
        size_t l = len - off < chunk ? len - off : chunk;
        pieces[n] = (struct piece){dst + off, src + off, l, prefault};
    }
    for (int i = 1; i < n; i++)
        pthread_create(&tids[i], NULL, copy_piece, &pieces[i]);
    copy_piece(&pieces[0]);
    for (int i = 1; i < n; i++)
        pthread_join(tids[i], NULL);
}

static char *other;

static int one_cycle(char *canvas, size_t bytes, enum variant v, int threads)
{
    if (v == MEMCPY) {
        memcpy(other, canvas, bytes);
        return 0;
    }
    int id = shmget(IPC_PRIVATE, bytes, IPC_CREAT | IPC_EXCL | 0600);
    if (id == -1) {
        perror("cycle: shmget");
        return -1;
    }
    char *seg = shmat(id, NULL, 0);
    if (seg == (void *)-1) {
        perror("cycle: shmat");
        shmctl(id, IPC_RMID, NULL);
        return -1;
    }
    int t = v == NAIVE ? 1 : threads;
    copy(seg, canvas, bytes, t, v == BEST);
    copy(canvas, seg, bytes, t, 0);
    shmctl(id, IPC_RMID, NULL);
    shmdt(seg);
    return 0;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: cycle naive|parallel|best|memcpy BYTES SAMPLES INNER\n");
        return 2;
    }
    enum variant v;
    if (!strcmp(argv[1], "naive"))
        v = NAIVE;
    else if (!strcmp(argv[1], "parallel"))
        v = PARALLEL;
    else if (!strcmp(argv[1], "best"))
        v = BEST;
    else if (!strcmp(argv[1], "memcpy"))
        v = MEMCPY;
    else {
        fprintf(stderr, "cycle: bad variant \"%s\"\n", argv[1]);
        return 2;
    }
    size_t bytes = strtoull(argv[2], NULL, 10);
    int samples = atoi(argv[3]), inner = atoi(argv[4]);
    int threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (bytes == 0 || samples < 1 || inner < 1) {
        fprintf(stderr, "cycle: BYTES, SAMPLES and INNER must be positive\n");
        return 2;
    }
    char *canvas = malloc(bytes);
    if (!canvas) {
        perror("cycle: malloc");
        return 1;
    }
    memset(canvas, 1, bytes);
    if (v == MEMCPY) {
        other = malloc(bytes);
        if (!other) {
            perror("cycle: malloc");
            return 1;
        }
        memset(other, 2, bytes);
    }
    if (one_cycle(canvas, bytes, v, threads))
        return 1;
    for (int s = 0; s < samples; s++) {
        double t0 = now_ns();
        for (int i = 0; i < inner; i++)
            if (one_cycle(canvas, bytes, v, threads))
                return 1;
        printf("%.0f\n", (now_ns() - t0) / inner);
    }
    free(canvas);
    return 0;
}
