/*
 * mirror: an external program in the MEDx way, using nothing but shmat,
 * shmctl and shmdt.
 *
 *     mirror SHMID WIDTH HEIGHT DEPTH FRAMES TYPE
 *     mirror                 (the canvas described by MXCANVAS, as mx::exec sets it)
 *
 * Attaches the canvas that MxExternCanvas put in segment SHMID, mirrors it
 * left-right (voxel (x,y,z,t) swaps with (WIDTH-1-x,y,z,t)) and negates every
 * voxel, then detaches. TYPE is the voxel type: uint8 int8 uint16 int16
 * uint32 int32 int64 uint64 float32 float64. The arguments are the shmid
 * and what mx::geometry gives: exec mirror $id {*}[mx::geometry $c].
 * "Negate" is -v; for signed integers -MIN (which does not exist) saturates
 * to MAX, and for unsigned types it is MAX - v, the photographic negative.
 * Voxel (x,y,z,t) is at offset ((t*depth + z)*height + y)*width + x, the
 * MEDx FAQ's (z*height + y)*width + x for one volume; rows are mirrored
 * alone, so a series is DEPTH*FRAMES rows of slices.
 *
 * Without arguments it reads canvas 0 of MXCANVAS with sscanf: the format
 * (docs/mxcanvas-env.md) is made for that.
 *
 * Before touching a voxel it checks that the segment it attached is exactly
 * WIDTH*HEIGHT*DEPTH*FRAMES voxels of TYPE (IPC_STAT after shmat, so the
 * size belongs to the mapped segment): a wrong geometry or type is an error
 * message and exit status 1, never a write past the end.
 * Exit status: 0 done, 1 the segment could not be used, 2 bad arguments.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

static long parse(const char *what, const char *text, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *text == '\0' || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "mirror: bad %s \"%s\": expected an integer from %ld to %ld\n", what, text, min, max);
        exit(2);
    }
    return v;
}

/* One function per type: swap x with width-1-x along each row, negating both. */
#define MIRROR(NAME, T, NEG)                                                   \
    static void NAME(void *base, long width, long rows)                        \
    {                                                                          \
        T *vox = base;                                                         \
        for (long r = 0; r < rows; r++) {                                      \
            T *row = vox + r * width;                                          \
            for (long x = 0; x < (width + 1) / 2; x++) {                       \
                T va = row[x], vb = row[width - 1 - x];                        \
                row[x] = NEG(vb);                                              \
                row[width - 1 - x] = NEG(va);                                  \
            }                                                                  \
        }                                                                      \
    }
#define NEG_FLOAT(v) (-(v))
#define NEG_I8(v) ((v) == INT8_MIN ? INT8_MAX : (int8_t)-(v))
#define NEG_I16(v) ((v) == INT16_MIN ? INT16_MAX : (int16_t)-(v))
#define NEG_I32(v) ((v) == INT32_MIN ? INT32_MAX : -(v))
#define NEG_I64(v) ((v) == INT64_MIN ? INT64_MAX : -(v))
#define NEG_U8(v) ((uint8_t)(UINT8_MAX - (v)))
#define NEG_U16(v) ((uint16_t)(UINT16_MAX - (v)))
#define NEG_U32(v) (UINT32_MAX - (v))
#define NEG_U64(v) (UINT64_MAX - (v))
MIRROR(mirror_u8, uint8_t, NEG_U8)
MIRROR(mirror_i8, int8_t, NEG_I8)
MIRROR(mirror_u16, uint16_t, NEG_U16)
MIRROR(mirror_i16, int16_t, NEG_I16)
MIRROR(mirror_u32, uint32_t, NEG_U32)
MIRROR(mirror_i32, int32_t, NEG_I32)
MIRROR(mirror_u64, uint64_t, NEG_U64)
MIRROR(mirror_i64, int64_t, NEG_I64)
MIRROR(mirror_f32, float, NEG_FLOAT)
MIRROR(mirror_f64, double, NEG_FLOAT)

static const struct {
    const char *name;
    size_t size;
    void (*mirror)(void *, long, long);
} types[] = {
    {"uint8", 1, mirror_u8},    {"int8", 1, mirror_i8},     {"uint16", 2, mirror_u16},
    {"int16", 2, mirror_i16},   {"uint32", 4, mirror_u32},  {"int32", 4, mirror_i32},
    {"uint64", 8, mirror_u64},  {"int64", 8, mirror_i64},   {"float32", 4, mirror_f32},
    {"float64", 8, mirror_f64},
};

/* Canvas 0 of MXCANVAS ("mxcanvas 1\ncanvas 0 shmid=... type=NAME ...")
 * into the same strings the arguments would be. */
static int from_env(char text[6][32])
{
    const char *env = getenv("MXCANVAS");
    if (env == NULL || strncmp(env, "mxcanvas 1\n", 11) != 0 ||
        sscanf(env + 11, "canvas 0 shmid=%31[0-9] width=%31[0-9] height=%31[0-9] depth=%31[0-9] "
                         "frames=%31[0-9] type=%31[a-z0-9]", text[0], text[1], text[2], text[3], text[4],
               text[5]) != 6) {
        fprintf(stderr, "mirror: %s: expected SHMID WIDTH HEIGHT DEPTH FRAMES TYPE, or MXCANVAS as mx::exec "
                        "sets it\n", env == NULL ? "MXCANVAS is not set" : "MXCANVAS is not a version 1 description");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    char text[6][32];
    const char *arg[6];
    if (argc == 1 && from_env(text) == 0) {
        for (int k = 0; k < 6; k++)
            arg[k] = text[k];
    } else if (argc == 7) {
        for (int k = 0; k < 6; k++)
            arg[k] = argv[k + 1];
    } else {
        if (argc != 1)
            fprintf(stderr, "usage: mirror SHMID WIDTH HEIGHT DEPTH FRAMES TYPE   (or no arguments and MXCANVAS)\n");
        return 2;
    }
    int shmid = (int)parse("shmid", arg[0], 0, INT_MAX);
    long width = parse("width", arg[1], 1, LONG_MAX);
    long height = parse("height", arg[2], 1, LONG_MAX);
    long depth = parse("depth", arg[3], 1, LONG_MAX);
    long frames = parse("frames", arg[4], 1, LONG_MAX);
    const char *type = arg[5];
    size_t t = 0;
    while (t < sizeof types / sizeof types[0] && strcmp(types[t].name, type) != 0)
        t++;
    if (t == sizeof types / sizeof types[0]) {
        fprintf(stderr, "mirror: bad type \"%s\": expected uint8, int8, uint16, int16, uint32, "
                        "int32, uint64, int64, float32 or float64\n", type);
        return 2;
    }
    /* The size the arguments describe, refusing what does not fit: rows
     * (HEIGHT*DEPTH*FRAMES) in a long, bytes in a size_t. */
    size_t rows = 0, bytes = 0;
    if ((size_t)height <= (size_t)LONG_MAX / (size_t)depth / (size_t)frames)
        rows = (size_t)height * (size_t)depth * (size_t)frames;
    if (rows != 0 && (size_t)width <= SIZE_MAX / rows / types[t].size)
        bytes = (size_t)width * rows * types[t].size;
    if (bytes == 0) {
        fprintf(stderr, "mirror: %ldx%ldx%ldx%ld %s is larger than this machine can address\n", width, height,
                depth, frames, type);
        return 2;
    }

    void *vox = shmat(shmid, NULL, 0);
    if (vox == (void *)-1) {
        fprintf(stderr, "mirror: shmat(%d): %s\n", shmid, strerror(errno));
        return 1;
    }
    struct shmid_ds ds;
    if (shmctl(shmid, IPC_STAT, &ds) == -1) {
        fprintf(stderr, "mirror: shmctl(%d, IPC_STAT): %s\n", shmid, strerror(errno));
        shmdt(vox);
        return 1;
    }
    if (ds.shm_segsz != bytes) {
        fprintf(stderr, "mirror: segment %d is %zu bytes, but a %ldx%ldx%ldx%ld %s canvas is %zu bytes: "
                        "check the geometry and type arguments\n",
                shmid, (size_t)ds.shm_segsz, width, height, depth, frames, type, bytes);
        shmdt(vox);
        return 1;
    }
    types[t].mirror(vox, width, (long)rows);
    if (shmdt(vox) == -1) {
        fprintf(stderr, "mirror: shmdt: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
