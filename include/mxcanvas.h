/*
 * mxcanvas.h - header-only C99 kit for external programs that work on
 * mxcanvas canvases handed over with MxExternCanvas (or mx::transport).
 *
 * Nothing to link: every function is `static inline`. Include it, compile
 * with `cc -std=c99 $(pkg-config --cflags mxcanvas) tool.c`.
 *
 * The contract (docs/external-programs.md and man/mxcanvas.n): a script passes a
 * shmid and the canvas's geometry on the command line; the program calls
 * shmat, reads and writes voxels at
 *     MX_VOXEL_OFFSET(x, y, z, width, height) = (z*height + y)*width + x
 * (x fastest, native byte order, no header, no padding) and calls shmdt
 * before it exits. This header makes that safe and short:
 *
 *   - mx_attach() attaches, then checks the attached segment's real size
 *     (IPC_STAT) against the size the program expects, and detaches again
 *     when they differ, so a wrong geometry is an error (EINVAL) instead of
 *     reads and writes past the end;
 *   - mx_parse_*() turn argv strings into checked numbers, types and
 *     geometries, printing "prog: what was wrong, what was expected" on
 *     failure, so a tool's main() stays a few lines;
 *   - mx_get()/mx_set() read and write one voxel of any of the contract's
 *     ten voxel types as a double, for tools that support every type
 *     (exact but for int64/uint64 values beyond 2^53, which a double rounds:
 *     read those through an int64_t / uint64_t pointer when that matters).
 *
 * Conventional argument order for the kit's tools (and mx::geometry in Tcl):
 *     tool [options] SHMID WIDTH HEIGHT DEPTH FRAMES TYPE [operands]
 *
 * Error convention: functions return 0 (or a pointer) on success and -1 (or
 * NULL) on failure with errno set; the mx_parse_* and mx_attach_report
 * functions also print a message prefixed with the program name to stderr.
 */
#ifndef MXCANVAS_H
#define MXCANVAS_H

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h> /* NAN, isnan, isfinite, isinf: macros, no -lm needed */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/types.h>

#define MXCANVAS_H_VERSION "0.1.0"

/* Voxel (x,y,z) of a single volume: the MEDx FAQ's (z*height + y)*width + x,
 * computed in size_t so that large volumes do not overflow int. */
#define MX_VOXEL_OFFSET(x, y, z, width, height)                              \
    (((size_t)(z) * (size_t)(height) + (size_t)(y)) * (size_t)(width) + (size_t)(x))

/* Voxel (x,y,z,t) of a time series: ((t*depth + z)*height + y)*width + x. */
#define MX_VOXEL_OFFSET4(x, y, z, t, width, height, depth)                   \
    MX_VOXEL_OFFSET((x), (y), (size_t)(t) * (size_t)(depth) + (size_t)(z), (width), (height))

/* The contract's voxel types, in the contract's order. */
enum mx_type {
    MX_UINT8,
    MX_INT8,
    MX_UINT16,
    MX_INT16,
    MX_UINT32,
    MX_INT32,
    MX_FLOAT32,
    MX_INT64,
    MX_UINT64,
    MX_FLOAT64
};
#define MX_TYPE_COUNT 10

/* A canvas's geometry, as the script passes it. */
struct mx_geometry {
    size_t width, height, depth, frames;
    enum mx_type type;
};

static inline const char *mx_type_name(enum mx_type type)
{
    static const char *const names[MX_TYPE_COUNT] = {
        "uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "int64", "uint64", "float64"};
    return (unsigned)type < MX_TYPE_COUNT ? names[type] : "?";
}

/* Bytes per voxel; 0 for a value that is not a type. */
static inline size_t mx_type_size(enum mx_type type)
{
    static const size_t sizes[MX_TYPE_COUNT] = {1, 1, 2, 2, 4, 4, 4, 8, 8, 8};
    return (unsigned)type < MX_TYPE_COUNT ? sizes[type] : 0;
}

/* The type called `name` ("uint8" ... "float64"); -1 with EINVAL if none. */
static inline int mx_type_from_name(const char *name, enum mx_type *out)
{
    for (int t = 0; t < MX_TYPE_COUNT; t++) {
        if (strcmp(name, mx_type_name((enum mx_type)t)) == 0) {
            *out = (enum mx_type)t;
            return 0;
        }
    }
    errno = EINVAL;
    return -1;
}

/* Whether `value` can be stored in a voxel of `type` without changing it:
 * integer types take integers in their range; float64 takes anything;
 * float32 takes infinities, NaN and finite values up to FLT_MAX. */
static inline int mx_value_fits(enum mx_type type, double value)
{
    double lo, hi;
    /* 2^63 and 2^64 are doubles, INT64_MAX and UINT64_MAX are not (they
     * round up to those): the 64-bit ranges end below them. Every double of
     * magnitude 2^52 or more is an integer. */
    if (type == MX_INT64 || type == MX_UINT64) {
        int in_range = type == MX_INT64 ? value >= -0x1p63 && value < 0x1p63 : value >= 0 && value < 0x1p64;
        return in_range && (value >= 0x1p52 || value <= -0x1p52 || value == (double)(long long)value);
    }
    switch (type) {
    case MX_UINT8: lo = 0; hi = UINT8_MAX; break;
    case MX_INT8: lo = INT8_MIN; hi = INT8_MAX; break;
    case MX_UINT16: lo = 0; hi = UINT16_MAX; break;
    case MX_INT16: lo = INT16_MIN; hi = INT16_MAX; break;
    case MX_UINT32: lo = 0; hi = UINT32_MAX; break;
    case MX_INT32: lo = INT32_MIN; hi = INT32_MAX; break;
    case MX_FLOAT32: return !isfinite(value) || (value <= FLT_MAX && value >= -FLT_MAX);
    case MX_FLOAT64: return 1;
    default: return 0; /* not a type (the 64-bit integers are above) */
    }
    /* in range, so the cast is defined; equal when value has no fraction */
    return value >= lo && value <= hi && value == (double)(long long)value;
}

/* `value` rounded to the nearest integer, halves away from zero, for values
 * within long long's range (no libm: the header needs no -lm). */
static inline double mx_round(double value)
{
    double t = (double)(long long)value; /* truncated toward zero */
    double fraction = value - t;         /* exact for doubles */
    if (fraction >= 0.5)
        t += 1.0;
    else if (fraction <= -0.5)
        t -= 1.0;
    return t;
}

/* Voxel `index` of the volume at `base` as a double (exact for every type). */
static inline double mx_get(const void *base, enum mx_type type, size_t index)
{
    switch (type) {
    case MX_UINT8: return ((const uint8_t *)base)[index];
    case MX_INT8: return ((const int8_t *)base)[index];
    case MX_UINT16: return ((const uint16_t *)base)[index];
    case MX_INT16: return ((const int16_t *)base)[index];
    case MX_UINT32: return ((const uint32_t *)base)[index];
    case MX_INT32: return ((const int32_t *)base)[index];
    case MX_FLOAT32: return ((const float *)base)[index];
    case MX_INT64: return (double)((const int64_t *)base)[index];
    case MX_UINT64: return (double)((const uint64_t *)base)[index];
    case MX_FLOAT64: return ((const double *)base)[index];
    }
    return NAN;
}

/* Store `value` into voxel `index`. Integer types round to nearest and
 * saturate at the type's range (NaN becomes 0), so no value is undefined
 * behaviour; use mx_value_fits() first when saturation would be an error. */
static inline void mx_set(void *base, enum mx_type type, size_t index, double value)
{
    double lo = 0, hi = 0;
    switch (type) {
    case MX_FLOAT32: ((float *)base)[index] = (float)value; return;
    case MX_FLOAT64: ((double *)base)[index] = value; return;
    case MX_INT64: /* saturate at the ends, whose limits are no doubles */
        ((int64_t *)base)[index] = isnan(value) ? 0 : value >= 0x1p63 ? INT64_MAX
                                 : value < -0x1p63 ? INT64_MIN : (int64_t)mx_round(value);
        return;
    case MX_UINT64: /* values of 2^63 and more are integers already */
        ((uint64_t *)base)[index] = isnan(value) || value <= 0 ? 0 : value >= 0x1p64 ? UINT64_MAX
                                  : value >= 0x1p63 ? (uint64_t)value : (uint64_t)mx_round(value);
        return;
    case MX_UINT8: hi = UINT8_MAX; break;
    case MX_INT8: lo = INT8_MIN; hi = INT8_MAX; break;
    case MX_UINT16: hi = UINT16_MAX; break;
    case MX_INT16: lo = INT16_MIN; hi = INT16_MAX; break;
    case MX_UINT32: hi = UINT32_MAX; break;
    case MX_INT32: lo = INT32_MIN; hi = INT32_MAX; break;
    }
    /* clamp first (also keeps the cast in mx_round defined), then round */
    double v = isnan(value) ? 0.0 : value < lo ? lo : (value > hi ? hi : value);
    v = mx_round(v);
    switch (type) {
    case MX_UINT8: ((uint8_t *)base)[index] = (uint8_t)v; break;
    case MX_INT8: ((int8_t *)base)[index] = (int8_t)v; break;
    case MX_UINT16: ((uint16_t *)base)[index] = (uint16_t)v; break;
    case MX_INT16: ((int16_t *)base)[index] = (int16_t)v; break;
    case MX_UINT32: ((uint32_t *)base)[index] = (uint32_t)v; break;
    case MX_INT32: ((int32_t *)base)[index] = (int32_t)v; break;
    default: break;
    }
}

/* Number of voxels of `g`; -1 with EOVERFLOW if it does not fit in size_t. */
static inline int mx_geometry_voxels(const struct mx_geometry *g, size_t *voxels)
{
    size_t dims[4] = {g->width, g->height, g->depth, g->frames};
    size_t n = 1;
    for (int i = 0; i < 4; i++) {
        if (dims[i] == 0 || n > SIZE_MAX / dims[i]) {
            errno = dims[i] == 0 ? EINVAL : EOVERFLOW;
            return -1;
        }
        n *= dims[i];
    }
    *voxels = n;
    return 0;
}

/* Bytes of a canvas of geometry `g` (the size MxExternCanvas gives its
 * segment); -1 with EINVAL/EOVERFLOW for a zero dimension or an overflow. */
static inline int mx_geometry_bytes(const struct mx_geometry *g, size_t *bytes)
{
    size_t voxels, size = mx_type_size(g->type);
    if (size == 0) {
        errno = EINVAL;
        return -1;
    }
    if (mx_geometry_voxels(g, &voxels) == -1)
        return -1;
    if (voxels > SIZE_MAX / size) {
        errno = EOVERFLOW;
        return -1;
    }
    *bytes = voxels * size;
    return 0;
}

/* The size in bytes of segment `shmid` (IPC_STAT); -1 with errno on failure. */
static inline int mx_segment_bytes(int shmid, size_t *bytes)
{
    struct shmid_ds ds;
    if (shmctl(shmid, IPC_STAT, &ds) == -1)
        return -1;
    *bytes = (size_t)ds.shm_segsz;
    return 0;
}

/* Attach segment `shmid` read-write and check that it is exactly
 * `expected_bytes` long. Returns the address, or NULL with errno set:
 * EINVAL when the size differs (or shmid is not a segment), EACCES/EIDRM...
 * as shmat and shmctl report them. Note: shmat itself fails with
 * (void *)-1; this function turns that into NULL.
 *
 * Attach first, stat second: the size is then that of the segment actually
 * mapped. Stat-then-attach leaves a window in which the id can be removed
 * and reused by a smaller segment. On a mismatch the segment is detached
 * again, so a refused attach leaves no attachment behind. */
static inline void *mx_attach(int shmid, size_t expected_bytes)
{
    size_t actual;
    void *addr = shmat(shmid, NULL, 0);
    if (addr == (void *)-1)
        return NULL;
    if (mx_segment_bytes(shmid, &actual) == -1) {
        int saved = errno;
        shmdt(addr);
        errno = saved;
        return NULL;
    }
    if (actual != expected_bytes) {
        shmdt(addr);
        errno = EINVAL;
        return NULL;
    }
    return addr;
}

/* Detach a segment attached by mx_attach (shmdt); -1 with errno on failure. */
static inline int mx_detach(void *addr)
{
    return shmdt(addr);
}

/* ---- command-line helpers: print "prog: ..." to stderr on failure ---- */

static inline int mx_report(const char *prog, const char *what, const char *text, const char *expected)
{
    fprintf(stderr, "%s: bad %s \"%s\": expected %s\n", prog, what, text, expected);
    errno = EINVAL;
    return -1;
}

/* A whole-string decimal integer in [min, max]. */
static inline int mx_parse_long(const char *prog, const char *what, const char *text,
                                long long min, long long max, long long *out)
{
    char expected[96];
    char *end;
    snprintf(expected, sizeof expected, "an integer from %lld to %lld", min, max);
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
        return mx_report(prog, what, text, expected);
    *out = v;
    return 0;
}

/* A shmid: a decimal integer >= 0 (0 is a valid id). */
static inline int mx_parse_shmid(const char *prog, const char *text, int *out)
{
    long long v;
    if (mx_parse_long(prog, "shmid", text, 0, INT_MAX, &v) == -1)
        return -1;
    *out = (int)v;
    return 0;
}

/* A dimension: an integer >= 1. */
static inline int mx_parse_dimension(const char *prog, const char *what, const char *text, size_t *out)
{
    long long v;
    long long max = SIZE_MAX < (size_t)LLONG_MAX ? (long long)SIZE_MAX : LLONG_MAX;
    if (mx_parse_long(prog, what, text, 1, max, &v) == -1)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* A whole-string floating-point number (strtod syntax, "inf" and "nan" too). */
static inline int mx_parse_double(const char *prog, const char *what, const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || (errno == ERANGE && isinf(v)))
        return mx_report(prog, what, text, "a number");
    *out = v;
    return 0;
}

/* A voxel type name. */
static inline int mx_parse_type(const char *prog, const char *text, enum mx_type *out)
{
    if (mx_type_from_name(text, out) == -1)
        return mx_report(prog, "voxel type", text,
                         "one of uint8, int8, uint16, int16, uint32, int32, float32, int64, uint64, float64");
    return 0;
}

/* Five arguments WIDTH HEIGHT DEPTH FRAMES TYPE (the list mx::geometry
 * gives in Tcl) into `g`, checking that its byte count fits in size_t. */
static inline int mx_parse_geometry(const char *prog, char *const args[5], struct mx_geometry *g)
{
    size_t bytes;
    if (mx_parse_dimension(prog, "width", args[0], &g->width) == -1 ||
        mx_parse_dimension(prog, "height", args[1], &g->height) == -1 ||
        mx_parse_dimension(prog, "depth", args[2], &g->depth) == -1 ||
        mx_parse_dimension(prog, "frames", args[3], &g->frames) == -1 ||
        mx_parse_type(prog, args[4], &g->type) == -1)
        return -1;
    if (mx_geometry_bytes(g, &bytes) == -1) {
        fprintf(stderr, "%s: a %zux%zux%zux%zu %s canvas is too large for this machine\n", prog,
                g->width, g->height, g->depth, g->frames, mx_type_name(g->type));
        return -1;
    }
    return 0;
}

/* mx_attach for a canvas of geometry `g`, printing why it failed:
 * "prog: segment 5 is 96 bytes, but a 4x3x2x1 float32 canvas is 192". */
static inline void *mx_attach_report(const char *prog, int shmid, const struct mx_geometry *g)
{
    size_t expected, actual;
    if (mx_geometry_bytes(g, &expected) == -1) {
        fprintf(stderr, "%s: invalid geometry: %s\n", prog, strerror(errno));
        return NULL;
    }
    void *addr = mx_attach(shmid, expected);
    if (addr != NULL)
        return addr;
    int saved = errno;
    if (saved == EINVAL && mx_segment_bytes(shmid, &actual) == 0 && actual != expected)
        fprintf(stderr, "%s: segment %d is %zu bytes, but a %zux%zux%zux%zu %s canvas is %zu bytes:"
                " check the geometry arguments\n", prog, shmid, actual, g->width, g->height,
                g->depth, g->frames, mx_type_name(g->type), expected);
    else if (saved == EINVAL || saved == EIDRM)
        fprintf(stderr, "%s: no shared memory segment with id %d (never created, or already freed)\n",
                prog, shmid);
    else
        fprintf(stderr, "%s: cannot attach shared memory segment %d: %s\n", prog, shmid,
                strerror(saved));
    errno = saved;
    return NULL;
}

#endif /* MXCANVAS_H */
