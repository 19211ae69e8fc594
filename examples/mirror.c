/*
 * mirror: an external program in the MEDx way, using nothing but shmat/shmdt.
 *
 *     mirror SHMID WIDTH HEIGHT DEPTH
 *
 * Attaches the float32 volume that MxExternCanvas put in segment SHMID,
 * mirrors it left-right (voxel (x,y,z) swaps with (WIDTH-1-x,y,z)) and
 * multiplies every voxel by -1, then detaches. Voxel (x,y,z) is at
 * offset (z*height + y)*width + x, as the MEDx FAQ says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

static long parse(const char *what, const char *text, long min)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *text == '\0' || *end != '\0' || v < min) {
        fprintf(stderr, "mirror: bad %s \"%s\": expected an integer >= %ld\n", what, text, min);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: mirror SHMID WIDTH HEIGHT DEPTH   (float32 voxels)\n");
        return 2;
    }
    int shmid = (int)parse("shmid", argv[1], 0);
    long width = parse("width", argv[2], 1);
    long height = parse("height", argv[3], 1);
    long depth = parse("depth", argv[4], 1);

    float *vox = shmat(shmid, NULL, 0);
    if (vox == (void *)-1) {
        fprintf(stderr, "mirror: shmat(%d): %s\n", shmid, strerror(errno));
        return 1;
    }
    for (long z = 0; z < depth; z++)
        for (long y = 0; y < height; y++)
            for (long x = 0; x < (width + 1) / 2; x++) {
                long a = (z * height + y) * width + x;
                long b = (z * height + y) * width + (width - 1 - x);
                float va = vox[a], vb = vox[b];
                vox[a] = -vb;
                vox[b] = -va;
            }
    if (shmdt(vox) == -1) {
        fprintf(stderr, "mirror: shmdt: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
