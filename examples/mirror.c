/*
 * mirror: an external program in the MEDx way, using nothing but shmat,
 * shmctl and shmdt.
 *
 *     mirror SHMID WIDTH HEIGHT DEPTH ?TYPE?
 *
 * Attaches the canvas that MxExternCanvas put in segment SHMID, mirrors it
 * left-right (voxel (x,y,z) swaps with (WIDTH-1-x,y,z)) and negates every
 * voxel, then detaches. TYPE is the voxel type (default float32): uint8 int8
 * uint16 int16 uint32 int32 int64 uint64 float32 float64. "Negate" is -v;
 * for signed integers -MIN (which does not exist) saturates to MAX, and for
 * unsigned types it is MAX - v, the photographic negative. Voxel (x,y,z) is
 * at offset (z*height + y)*width + x, as the MEDx FAQ says; a 4-D series is
 * one volume of DEPTH*FRAMES slices.
 *
 * Before touching a voxel it checks that the segment it attached is exactly
 * WIDTH*HEIGHT*DEPTH voxels of TYPE (IPC_STAT after shmat, so the size
 * belongs to the mapped segment): a wrong geometry or type is an error
 * message and exit status 1, never a write past the end.
 * Exit status: 0 done, 1 the segment could not be used, 2 bad arguments.
 */
#include <errno.h>
#include <stdint.h>
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

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: mirror SHMID WIDTH HEIGHT DEPTH ?TYPE?   (TYPE default float32)\n");
        return 2;
    }
    int shmid = (int)parse("shmid", argv[1], 0);
    long width = parse("width", argv[2], 1);
    long height = parse("height", argv[3], 1);
    long depth = parse("depth", argv[4], 1);
    const char *type = argc == 6 ? argv[5] : "float32";
    size_t t = 0;
    while (t < sizeof types / sizeof types[0] && strcmp(types[t].name, type) != 0)
        t++;
    if (t == sizeof types / sizeof types[0]) {
        fprintf(stderr, "mirror: bad type \"%s\": expected uint8, int8, uint16, int16, uint32, "
                        "int32, uint64, int64, float32 or float64\n", type);
        return 2;
    }
    /* The size the arguments describe, refusing what does not fit a size_t. */
    size_t rows = (size_t)height * (size_t)depth, bytes = 0;
    if ((size_t)depth != 0 && rows / (size_t)depth != (size_t)height)
        rows = 0;
    if (rows != 0 && (size_t)width <= SIZE_MAX / rows / types[t].size)
        bytes = (size_t)width * rows * types[t].size;
    if (bytes == 0) {
        fprintf(stderr, "mirror: %ldx%ldx%ld %s is larger than this machine can address\n", width, height,
                depth, type);
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
        fprintf(stderr, "mirror: segment %d is %zu bytes, but a %ldx%ldx%ld %s volume is %zu bytes: "
                        "check the geometry and type arguments\n",
                shmid, (size_t)ds.shm_segsz, width, height, depth, type, bytes);
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
