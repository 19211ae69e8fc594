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
#include <locale.h> /* localeconv: MXCANVAS numbers use '.' whatever LC_NUMERIC says */
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

/* strtod that reads '.' as the decimal point whatever LC_NUMERIC says.
 * Scripts write numbers with '.' (Tcl always does, and so does MXCANVAS),
 * but strtod follows the locale: a tool that called setlocale(LC_ALL, "")
 * in, say, a German locale would read "4.5" as 4 and stop at ".5". */
static inline double mx_strtod(const char *text, char **end)
{
    const char *point = localeconv()->decimal_point;
    const char *dot = strchr(text, '.');
    char buf[128];
    size_t len = strlen(text);
    if (dot == NULL || point == NULL || strcmp(point, ".") == 0 || point[0] == '\0' || point[1] != '\0' ||
        len >= sizeof buf)
        return strtod(text, end);
    memcpy(buf, text, len + 1);
    buf[dot - text] = point[0];
    char *stop;
    double v = strtod(buf, &stop);
    *end = (char *)text + (stop - buf);
    return v;
}

/* A whole-string floating-point number (strtod syntax, "inf" and "nan" too). */
static inline int mx_parse_double(const char *prog, const char *what, const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = mx_strtod(text, &end);
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

/* ---- MXCANVAS: the canvases mx::exec hands over, described ----
 *
 * mx::exec puts every canvas it hands to a tool into the environment
 * variable MXCANVAS (docs/mxcanvas-env.md, version 1):
 *
 *     mxcanvas 1
 *     canvas 0 shmid=32769 width=64 height=64 depth=10 frames=1 type=int16 bytes=81920 spacing=4,4,8 tstep=3 units=mm,sec slope=0.0754 inter=3100.8 affine=-4,0,0,126,...
 *
 * mx_canvas_from_env(index, &c) reads canvas `index` into a struct
 * mx_canvas; mx_canvas_attach(&c) (mx_attach with c.bytes) attaches it.
 * mx_canvas_from_args() takes the tools' convention: the six canvas
 * arguments SHMID WIDTH HEIGHT DEPTH FRAMES TYPE first when they are given
 * (the first five are unsigned decimal integers), else MXCANVAS's canvas 0.
 */

/* One canvas as MXCANVAS describes it. */
struct mx_canvas {
    int shmid;
    struct mx_geometry geometry; /* width height depth frames type */
    size_t bytes;                /* the segment's exact size */
    double spacing[3];           /* voxel size along x, y, z, in space_units */
    double tstep;                /* time between frames, in time_units */
    char space_units[8];         /* unknown meter mm micron */
    char time_units[8];          /* unknown sec msec usec hz ppm rads */
    double slope, inter;         /* real value = stored * slope + inter */
    double affine[4][4];         /* world (x,y,z,1) = affine * (i,j,k,1), nibabel's img.affine */
    char error[200];             /* why the last mx_canvas_* call on it failed ("canvas 0: bad width ...";
                                  * print it after "MXCANVAS: ") */
};

/* What a description without MXCANVAS carries (geometry arguments): unit
 * spacing, unknown units, no scaling, the identity affine. */
static inline void mx_canvas_defaults(struct mx_canvas *c)
{
    for (int i = 0; i < 3; i++)
        c->spacing[i] = 1.0;
    c->tstep = 1.0;
    strcpy(c->space_units, "unknown");
    strcpy(c->time_units, "unknown");
    c->slope = 1.0;
    c->inter = 0.0;
    for (int r = 0; r < 4; r++)
        for (int k = 0; k < 4; k++)
            c->affine[r][k] = r == k ? 1.0 : 0.0;
    c->error[0] = '\0';
}

/* An unsigned decimal integer of `len` characters in [min, max]. */
static inline int mx_env_size(const char *v, size_t len, size_t min, size_t max, size_t *out)
{
    size_t n = 0;
    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        size_t digit = (size_t)(v[i] - '0');
        if (n > (max - digit) / 10)
            return -1;
        n = n * 10 + digit;
    }
    if (n < min)
        return -1;
    *out = n;
    return 0;
}

/* A decimal real of `len` characters: digits, sign, point, exponent, or
 * nan / inf / -inf (any case). No hex floats, no "nan(...)": the format
 * writes neither. */
static inline int mx_env_double(const char *v, size_t len, double *out)
{
    char buf[64], lower[64];
    char *end;
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, v, len);
    buf[len] = '\0';
    for (size_t i = 0; i <= len; i++)
        lower[i] = (char)(buf[i] >= 'A' && buf[i] <= 'Z' ? buf[i] - 'A' + 'a' : buf[i]);
    const char *word = lower[0] == '-' || lower[0] == '+' ? lower + 1 : lower;
    int special = strcmp(word, "nan") == 0 || strcmp(word, "inf") == 0;
    if (!special && strspn(lower, "0123456789+-.e") != len)
        return -1;
    errno = 0;
    *out = mx_strtod(lower, &end);
    if (end != lower + len || (errno == ERANGE && isinf(*out)))
        return -1;
    return 0;
}

/* `n` comma-separated reals. */
static inline int mx_env_doubles(const char *v, size_t len, size_t n, double *out)
{
    const char *stop = v + len;
    for (size_t i = 0; i < n; i++) {
        const char *comma = v;
        while (comma < stop && *comma != ',')
            comma++;
        if ((i + 1 < n) != (comma < stop) || mx_env_double(v, (size_t)(comma - v), &out[i]) == -1)
            return -1;
        v = comma + 1;
    }
    return 0;
}

/* A name of `names` (NULL-terminated), copied into out[8]. */
static inline int mx_env_name(const char *v, size_t len, const char *const *names, char out[8])
{
    for (; *names != NULL; names++) {
        if (strlen(*names) == len && strncmp(v, *names, len) == 0) {
            memcpy(out, *names, len + 1);
            return 0;
        }
    }
    return -1;
}

/* Parse one canvas line (after "canvas N ") up to its '\n' into `c`;
 * -1 with c->error set. Keys after affine are a later version's: ignored. */
static inline int mx_env_line(const char *p, int n, struct mx_canvas *c)
{
    static const char *const keys[] = {"shmid", "width", "height", "depth", "frames", "type", "bytes",
                                       "spacing", "tstep", "units", "slope", "inter", "affine"};
    static const char *const expected[] = {
        "an integer from 0 to 2147483647", "an integer >= 1", "an integer >= 1", "an integer >= 1",
        "an integer >= 1", "one of uint8 int8 uint16 int16 uint32 int32 float32 int64 uint64 float64",
        "an integer", "three numbers dx,dy,dz", "a number",
        "SPACE,TIME: unknown meter mm micron, then unknown sec msec usec hz ppm rads",
        "a number", "a number", "16 numbers, the 4x4 matrix row by row"};
    static const char *const space_names[] = {"unknown", "meter", "mm", "micron", NULL};
    static const char *const time_names[] = {"unknown", "sec", "msec", "usec", "hz", "ppm", "rads", NULL};
    size_t dims[4], shmid = 0, want;
    for (int k = 0; k < 13; k++) {
        size_t klen = strlen(keys[k]);
        if (strncmp(p, keys[k], klen) != 0 || p[klen] != '=') {
            size_t got = strcspn(p, " \n");
            snprintf(c->error, sizeof c->error, "canvas %d: expected key %s= where \"%.*s\" is", n, keys[k],
                     (int)(got < 40 ? got : 40), p);
            return -1;
        }
        const char *v = p + klen + 1;
        size_t len = strcspn(v, " \n");
        int bad;
        switch (k) {
        case 0: bad = mx_env_size(v, len, 0, INT_MAX, &shmid); break;
        case 1: case 2: case 3: case 4: bad = mx_env_size(v, len, 1, SIZE_MAX, &dims[k - 1]); break;
        case 5: {
            char name[16];
            bad = len >= sizeof name;
            if (!bad) {
                memcpy(name, v, len);
                name[len] = '\0';
                bad = mx_type_from_name(name, &c->geometry.type);
            }
            break;
        }
        case 6: bad = mx_env_size(v, len, 1, SIZE_MAX, &c->bytes); break;
        case 7: bad = mx_env_doubles(v, len, 3, c->spacing); break;
        case 8: bad = mx_env_double(v, len, &c->tstep); break;
        case 9: {
            const char *comma = memchr(v, ',', len);
            bad = comma == NULL || mx_env_name(v, (size_t)(comma - v), space_names, c->space_units) == -1 ||
                  mx_env_name(comma + 1, len - (size_t)(comma - v) - 1, time_names, c->time_units) == -1;
            break;
        }
        case 10: bad = mx_env_double(v, len, &c->slope); break;
        case 11: bad = mx_env_double(v, len, &c->inter); break;
        default: bad = mx_env_doubles(v, len, 16, &c->affine[0][0]); break;
        }
        if (bad) {
            snprintf(c->error, sizeof c->error, "canvas %d: bad %s \"%.*s\": expected %s", n, keys[k],
                     (int)(len < 60 ? len : 60), v, expected[k]);
            return -1;
        }
        p = v + len;
        if (k < 12 && *p++ != ' ') {
            snprintf(c->error, sizeof c->error, "canvas %d: the line ends after %s: expected %s= next", n,
                     keys[k], keys[k + 1]);
            return -1;
        }
    }
    c->shmid = (int)shmid;
    c->geometry.width = dims[0];
    c->geometry.height = dims[1];
    c->geometry.depth = dims[2];
    c->geometry.frames = dims[3];
    if (mx_geometry_bytes(&c->geometry, &want) == -1 || want != c->bytes) {
        snprintf(c->error, sizeof c->error,
                 "canvas %d: bytes=%zu, but a %zux%zux%zux%zu %s canvas is %s%zu bytes", n, c->bytes,
                 dims[0], dims[1], dims[2], dims[3], mx_type_name(c->geometry.type),
                 mx_geometry_bytes(&c->geometry, &want) == -1 ? "more than " : "",
                 mx_geometry_bytes(&c->geometry, &want) == -1 ? (size_t)SIZE_MAX : want);
        return -1;
    }
    return 0;
}

/* Canvas `index` of the description `text` (MXCANVAS's value) into `out`.
 * Every line is checked, not only the one asked for. Returns 0, or -1 with
 * errno EINVAL (malformed) or ENOENT (no canvas `index`) and out->error
 * saying what was wrong and what was expected. Does not look at the
 * segment (mx_canvas_from_env does). */
static inline int mx_canvas_parse(const char *text, int index, struct mx_canvas *out)
{
    static const char head[] = "mxcanvas 1\n";
    struct mx_canvas line;
    int n = 0, found = 0;
    mx_canvas_defaults(out);
    if (strncmp(text, head, sizeof head - 1) != 0) {
        size_t len = strcspn(text, "\n");
        snprintf(out->error, sizeof out->error,
                 text[len] == '\0' && strcmp(text, "mxcanvas 1") == 0
                     ? "the first line \"%.*s\" does not end with a newline: expected one after every line"
                     : "the first line \"%.*s\" is not \"mxcanvas 1\": expected version 1 of the format",
                 (int)(len < 40 ? len : 40), text);
        errno = EINVAL;
        return -1;
    }
    for (const char *p = text + sizeof head - 1; *p != '\0'; n++) {
        char prefix[32];
        const char *nl = strchr(p, '\n');
        int plen = snprintf(prefix, sizeof prefix, "canvas %d ", n);
        if (nl == NULL || strncmp(p, prefix, (size_t)plen) != 0) {
            size_t len = strcspn(p, "\n");
            snprintf(out->error, sizeof out->error, nl == NULL ? "line %d does not end with a newline: expected \"canvas %d ...\\n\""
                                                               : "line %d: expected \"canvas %d ...\" where \"%.*s\" is",
                     n + 2, n, (int)(len < 40 ? len : 40), p);
            errno = EINVAL;
            return -1;
        }
        mx_canvas_defaults(&line);
        if (mx_env_line(p + plen, n, &line) == -1) {
            memcpy(out->error, line.error, sizeof out->error);
            errno = EINVAL;
            return -1;
        }
        if (n == index) {
            *out = line;
            found = 1;
        }
        p = nl + 1;
    }
    if (!found) {
        snprintf(out->error, sizeof out->error, "no canvas %d: MXCANVAS describes %d canvas%s (0 to %d)", index, n,
                 n == 1 ? "" : "es", n - 1);
        errno = ENOENT;
        return -1;
    }
    return 0;
}

/* Canvas `index` of MXCANVAS into `out`, checked against its segment: -1
 * with errno and out->error when MXCANVAS is not set (ENOENT), malformed
 * (EINVAL), has no canvas `index` (ENOENT), or when the segment is not
 * `bytes` long (EINVAL) or cannot be looked at (shmctl's errno). */
static inline int mx_canvas_from_env(int index, struct mx_canvas *out)
{
    const char *text = getenv("MXCANVAS");
    size_t actual;
    if (text == NULL) {
        mx_canvas_defaults(out);
        snprintf(out->error, sizeof out->error,
                 "not set: expected a description of the canvases (mx::exec sets it)");
        errno = ENOENT;
        return -1;
    }
    if (mx_canvas_parse(text, index, out) == -1)
        return -1;
    if (mx_segment_bytes(out->shmid, &actual) == -1) {
        int saved = errno;
        snprintf(out->error, sizeof out->error, "canvas %d: %s segment %d: %s", index,
                 saved == EINVAL || saved == EIDRM ? "no shared memory" : "cannot look at", out->shmid,
                 saved == EINVAL || saved == EIDRM ? "never created, or already freed" : strerror(saved));
        errno = saved;
        return -1;
    }
    if (actual != out->bytes) {
        snprintf(out->error, sizeof out->error,
                 "canvas %d: segment %d is %zu bytes, but MXCANVAS describes a %zux%zux%zux%zu %s canvas of %zu bytes",
                 index, out->shmid, actual, out->geometry.width, out->geometry.height, out->geometry.depth,
                 out->geometry.frames, mx_type_name(out->geometry.type), out->bytes);
        errno = EINVAL;
        return -1;
    }
    return 0;
}

/* Attach the canvas `c` describes (mx_attach with c->bytes); NULL with errno. */
static inline void *mx_canvas_attach(const struct mx_canvas *c)
{
    return mx_attach(c->shmid, c->bytes);
}

/* mx_attach_report for the canvas `c` describes. */
static inline void *mx_canvas_attach_report(const char *prog, const struct mx_canvas *c)
{
    return mx_attach_report(prog, c->shmid, &c->geometry);
}

/* The tools' convention: `tool SHMID WIDTH HEIGHT DEPTH FRAMES TYPE [options]`,
 * or `tool [options]` with MXCANVAS describing the canvas (its canvas 0).
 * The six canvas arguments are taken when there are at least six and the
 * first five are unsigned decimal integers; *next is then 7, else 1 (the
 * first option). Prints "prog: ..." and returns -1 on failure. */
static inline int mx_canvas_from_args(const char *prog, int argc, char *const argv[], struct mx_canvas *out,
                                      int *next)
{
    int given = argc >= 7;
    for (int i = 1; given && i <= 5; i++)
        given = argv[i][0] != '\0' && strspn(argv[i], "0123456789") == strlen(argv[i]);
    if (!given) {
        if (mx_canvas_from_env(0, out) == -1) {
            fprintf(stderr, "%s: MXCANVAS: %s (or give SHMID WIDTH HEIGHT DEPTH FRAMES TYPE as the first arguments)\n", prog,
                    out->error);
            return -1;
        }
        *next = 1;
        return 0;
    }
    mx_canvas_defaults(out);
    if (mx_parse_shmid(prog, argv[1], &out->shmid) == -1 || mx_parse_geometry(prog, argv + 2, &out->geometry) == -1)
        return -1;
    mx_geometry_bytes(&out->geometry, &out->bytes); /* cannot fail: mx_parse_geometry checked it */
    *next = 7;
    return 0;
}

#endif /* MXCANVAS_H */
