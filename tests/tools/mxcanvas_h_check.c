/*
 * mxcanvas_h_check: exercises include/mxcanvas.h against the real kernel.
 *
 *     mxcanvas_h_check ?LOCALE?
 *
 * With LOCALE, runs under setlocale(LC_ALL, LOCALE) (exit 100 if it cannot
 * be set): MXCANVAS's numbers must read the same in a locale whose decimal
 * point is not '.'.
 * Creates its own private segments (and removes them), checks mx_attach's
 * errors (EINVAL for a wrong size and for a bad or removed shmid), a good
 * attach/detach, MX_VOXEL_OFFSET, the parsers, mx_get/mx_set, and the
 * MXCANVAS reader (mx_canvas_parse, mx_canvas_from_env, mx_canvas_from_args:
 * good descriptions, every kind of malformed one, a size mismatch). Prints one
 * line per failed check and "ok N checks" when all passed; exit status is
 * the number of failed checks (capped at 100). Run by tests/kit.test.
 */
#include "mxcanvas.h"

static int checks, failures;

#define CHECK(cond)                                                            \
    do {                                                                       \
        checks++;                                                              \
        if (!(cond)) {                                                         \
            failures++;                                                        \
            printf("FAIL line %d: %s (errno %d: %s)\n", __LINE__, #cond, errno, \
                   strerror(errno));                                           \
        }                                                                      \
    } while (0)

static int nattch(int shmid)
{
    struct shmid_ds ds;
    return shmctl(shmid, IPC_STAT, &ds) == -1 ? -1 : (int)ds.shm_nattch;
}

static void attach_errors(void)
{
    int id = shmget(IPC_PRIVATE, 96, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0);
    if (id < 0)
        return;

    errno = 0;
    CHECK(mx_attach(id, 95) == NULL && errno == EINVAL);
    errno = 0;
    CHECK(mx_attach(id, 97) == NULL && errno == EINVAL);
    errno = 0;
    CHECK(mx_attach(id, 0) == NULL && errno == EINVAL);
    CHECK(nattch(id) == 0); /* a refused attach leaves no attachment */

    size_t bytes = 0;
    CHECK(mx_segment_bytes(id, &bytes) == 0 && bytes == 96);

    float *v = mx_attach(id, 96);
    CHECK(v != NULL);
    if (v != NULL) {
        CHECK(nattch(id) == 1);
        v[MX_VOXEL_OFFSET(3, 2, 1, 4, 3)] = 42.5f; /* 4x3x2 float32 = 96 bytes */
        CHECK(mx_get(v, MX_FLOAT32, 23) == 42.5);
        CHECK(mx_detach(v) == 0);
        CHECK(nattch(id) == 0);
    }
    /* the geometry-checking variant says the same, with a message on stderr */
    struct mx_geometry wrong = {4, 3, 2, 1, MX_FLOAT64};
    errno = 0;
    CHECK(mx_attach_report("check", id, &wrong) == NULL && errno == EINVAL);
    struct mx_geometry right = {4, 3, 2, 1, MX_FLOAT32};
    void *r = mx_attach_report("check", id, &right);
    CHECK(r != NULL && ((float *)r)[23] == 42.5f);
    if (r != NULL)
        CHECK(mx_detach(r) == 0);

    CHECK(shmctl(id, IPC_RMID, NULL) == 0);
    errno = 0;
    CHECK(mx_attach(id, 96) == NULL && (errno == EINVAL || errno == EIDRM)); /* removed */
    errno = 0;
    CHECK(mx_attach(-1, 96) == NULL && errno == EINVAL);
    errno = 0;
    CHECK(mx_detach((void *)&checks) == -1 && errno == EINVAL); /* not attached */
}

static void offsets(void)
{
    CHECK(MX_VOXEL_OFFSET(0, 0, 0, 7, 5) == 0);
    CHECK(MX_VOXEL_OFFSET(6, 0, 0, 7, 5) == 6);
    CHECK(MX_VOXEL_OFFSET(0, 1, 0, 7, 5) == 7);
    CHECK(MX_VOXEL_OFFSET(0, 0, 1, 7, 5) == 35);
    CHECK(MX_VOXEL_OFFSET(2, 3, 4, 7, 5) == (4 * 5 + 3) * 7 + 2);
    CHECK(MX_VOXEL_OFFSET4(2, 3, 1, 2, 7, 5, 4) == ((2 * 4 + 1) * 5 + 3) * 7 + 2);
    /* no int overflow for big volumes: size_t arithmetic */
    CHECK(MX_VOXEL_OFFSET(0, 0, 70000, 70000, 1) == (size_t)70000 * 70000);
}

static void parsers(void)
{
    long long v;
    int id;
    size_t n;
    double d;
    enum mx_type t;
    struct mx_geometry g;
    char *good[5] = {"4", "3", "2", "1", "int16"};
    char *zero[5] = {"4", "0", "2", "1", "int16"};
    char *badtype[5] = {"4", "3", "2", "1", "int128"};
    char *wide[5] = {"4", "3", "2", "1", "uint64"};
    char *huge[5] = {"4294967296", "4294967296", "4294967296", "1", "float64"};

    CHECK(mx_parse_shmid("check", "0", &id) == 0 && id == 0);
    CHECK(mx_parse_shmid("check", "12345", &id) == 0 && id == 12345);
    CHECK(mx_parse_shmid("check", "-1", &id) == -1);
    CHECK(mx_parse_shmid("check", "12x", &id) == -1);
    CHECK(mx_parse_shmid("check", "", &id) == -1);
    CHECK(mx_parse_shmid("check", "99999999999", &id) == -1);
    CHECK(mx_parse_long("check", "n", " 5", 0, 10, &v) == 0 && v == 5); /* strtoll skips space */
    CHECK(mx_parse_long("check", "n", "11", 0, 10, &v) == -1);
    CHECK(mx_parse_dimension("check", "width", "1", &n) == 0 && n == 1);
    CHECK(mx_parse_dimension("check", "width", "0", &n) == -1);
    CHECK(mx_parse_double("check", "level", "-2.5e1", &d) == 0 && d == -25.0);
    CHECK(mx_parse_double("check", "level", "1.5x", &d) == -1);
    CHECK(mx_parse_double("check", "level", "1e999", &d) == -1);
    CHECK(mx_parse_type("check", "float64", &t) == 0 && t == MX_FLOAT64);
    CHECK(mx_parse_type("check", "Float64", &t) == -1);
    CHECK(mx_parse_geometry("check", good, &g) == 0 && g.width == 4 && g.height == 3 && g.depth == 2 &&
          g.frames == 1 && g.type == MX_INT16);
    CHECK(mx_geometry_bytes(&g, &n) == 0 && n == 48);
    CHECK(mx_parse_geometry("check", zero, &g) == -1);
    CHECK(mx_parse_geometry("check", badtype, &g) == -1);
    CHECK(mx_parse_geometry("check", wide, &g) == 0 && g.type == MX_UINT64 && mx_geometry_bytes(&g, &n) == 0 &&
          n == 192);
    CHECK(mx_parse_type("check", "int64", &t) == 0 && t == MX_INT64 && mx_type_size(t) == 8);
    CHECK(MX_TYPE_COUNT == 10 && strcmp(mx_type_name(MX_FLOAT64), "float64") == 0 &&
          strcmp(mx_type_name(MX_INT64), "int64") == 0 && strcmp(mx_type_name(MX_UINT64), "uint64") == 0);
    CHECK(mx_parse_geometry("check", huge, &g) == -1);
    for (int k = 0; k < MX_TYPE_COUNT; k++)
        CHECK(mx_type_from_name(mx_type_name((enum mx_type)k), &t) == 0 && t == (enum mx_type)k);
}

static void voxels(void)
{
    unsigned char buf[16];
    CHECK(mx_value_fits(MX_UINT8, 255) && !mx_value_fits(MX_UINT8, 256) && !mx_value_fits(MX_UINT8, -1));
    CHECK(!mx_value_fits(MX_INT16, 1.5) && mx_value_fits(MX_INT16, -32768));
    CHECK(mx_value_fits(MX_UINT32, 4294967295.0) && !mx_value_fits(MX_INT32, 2147483648.0));
    CHECK(mx_value_fits(MX_FLOAT32, 1.5) && !mx_value_fits(MX_FLOAT32, 1e39));
    mx_set(buf, MX_UINT8, 0, 300);
    CHECK(mx_get(buf, MX_UINT8, 0) == 255);
    mx_set(buf, MX_INT8, 1, -2.5);
    CHECK(mx_get(buf, MX_INT8, 1) == -3);
    mx_set(buf, MX_INT16, 1, 2.5);
    CHECK(mx_get(buf, MX_INT16, 1) == 3);
    mx_set(buf, MX_UINT32, 1, 4294967295.0);
    CHECK(mx_get(buf, MX_UINT32, 1) == 4294967295.0);
    mx_set(buf, MX_INT32, 1, NAN);
    CHECK(mx_get(buf, MX_INT32, 1) == 0);
    mx_set(buf, MX_FLOAT64, 1, -0.125);
    CHECK(mx_get(buf, MX_FLOAT64, 1) == -0.125);

    /* 64-bit integers: the ends are no doubles (2^63-1 and 2^64-1 round up) */
    int64_t i64[2];
    uint64_t u64[2];
    CHECK(mx_value_fits(MX_INT64, -0x1p63) && !mx_value_fits(MX_INT64, 0x1p63));
    CHECK(mx_value_fits(MX_INT64, 0x1p63 - 1024) && !mx_value_fits(MX_INT64, 2.5));
    CHECK(mx_value_fits(MX_UINT64, 0x1p63) && mx_value_fits(MX_UINT64, 0x1p64 - 2048));
    CHECK(!mx_value_fits(MX_UINT64, 0x1p64) && !mx_value_fits(MX_UINT64, -1) && !mx_value_fits(MX_UINT64, NAN));
    mx_set(i64, MX_INT64, 0, 1e300);
    mx_set(i64, MX_INT64, 1, -1e300);
    CHECK(i64[0] == INT64_MAX && i64[1] == INT64_MIN);
    mx_set(i64, MX_INT64, 0, -2.5);
    mx_set(i64, MX_INT64, 1, 0x1p62);
    CHECK(i64[0] == -3 && i64[1] == (int64_t)1 << 62 && mx_get(i64, MX_INT64, 1) == 0x1p62);
    mx_set(u64, MX_UINT64, 0, 1e300);
    mx_set(u64, MX_UINT64, 1, -5);
    CHECK(u64[0] == UINT64_MAX && u64[1] == 0);
    mx_set(u64, MX_UINT64, 0, 0x1p63 + 4096);
    mx_set(u64, MX_UINT64, 1, NAN);
    CHECK(u64[0] == ((uint64_t)1 << 63) + 4096 && u64[1] == 0);
    u64[0] = UINT64_MAX;
    CHECK(mx_get(u64, MX_UINT64, 0) == 0x1p64); /* the nearest double */
}

/* A version-1 description of one canvas, with `shmid` and `bytes` filled in. */
static void describe(char *buf, size_t size, int shmid, const char *geometry, const char *rest)
{
    snprintf(buf, size, "mxcanvas 1\ncanvas 0 shmid=%d %s spacing=4,4.5,8 tstep=3 units=mm,sec slope=0.0754 "
                        "inter=3100.8 affine=-4,0,0,126,0,4,0,-90,0,0,8,-72,0,0,0,1%s\n", shmid, geometry, rest);
}

static void env_parse(void)
{
    struct mx_canvas c;
    char text[1024];
    const char *good = "mxcanvas 1\n"
                       "canvas 0 shmid=32769 width=64 height=64 depth=10 frames=1 type=int16 bytes=81920 "
                       "spacing=4,4,8 tstep=3 units=mm,sec slope=0.0754 inter=3100.8 "
                       "affine=-4,0,0,126,0,4,0,-90,0,0,8,-72,0,0,0,1\n"
                       "canvas 1 shmid=0 width=2 height=3 depth=1 frames=4 type=float64 bytes=192 "
                       "spacing=1.5,2,1e-3 tstep=nan units=micron,usec slope=1 inter=0 "
                       "affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1 later=keys ignored=1\n";
    CHECK(mx_canvas_parse(good, 0, &c) == 0);
    CHECK(c.shmid == 32769 && c.geometry.width == 64 && c.geometry.height == 64 && c.geometry.depth == 10 &&
          c.geometry.frames == 1 && c.geometry.type == MX_INT16 && c.bytes == 81920);
    CHECK(c.spacing[0] == 4 && c.spacing[1] == 4 && c.spacing[2] == 8 && c.tstep == 3);
    CHECK(strcmp(c.space_units, "mm") == 0 && strcmp(c.time_units, "sec") == 0);
    CHECK(c.slope == 0.0754 && c.inter == 3100.8);
    CHECK(c.affine[0][0] == -4 && c.affine[0][3] == 126 && c.affine[1][3] == -90 && c.affine[2][2] == 8 &&
          c.affine[2][3] == -72 && c.affine[3][3] == 1 && c.affine[3][0] == 0);
    CHECK(mx_canvas_parse(good, 1, &c) == 0);
    CHECK(c.shmid == 0 && c.geometry.frames == 4 && c.geometry.type == MX_FLOAT64 && c.bytes == 192);
    CHECK(c.spacing[2] == 1e-3 && isnan(c.tstep) && strcmp(c.space_units, "micron") == 0 &&
          strcmp(c.time_units, "usec") == 0);
    errno = 0;
    CHECK(mx_canvas_parse(good, 2, &c) == -1 && errno == ENOENT &&
          strcmp(c.error, "no canvas 2: MXCANVAS describes 2 canvases (0 to 1)") == 0);
    CHECK(mx_canvas_parse(good, -1, &c) == -1 && errno == ENOENT);
    CHECK(mx_canvas_parse("mxcanvas 1\n", 0, &c) == -1 && errno == ENOENT);
    CHECK(mx_canvas_parse("mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 "
                          "spacing=inf,-inf,NaN tstep=-0 units=unknown,hz slope=1E3 inter=-2.5e-3 "
                          "affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n", 0, &c) == 0 &&
          isinf(c.spacing[0]) && c.spacing[1] < 0 && isnan(c.spacing[2]) && c.slope == 1000 && c.inter == -0.0025);

    /* malformed: each refused with EINVAL and a message naming the fault */
    static const struct {
        const char *geometry, *rest, *message;
    } bad[] = {
        {"width=4 height=3 depth=2 frames=1 type=int16 bytes=47", "", "canvas 0: bytes=47, but a 4x3x2x1 int16 canvas is 48 bytes"},
        {"width=0 height=3 depth=2 frames=1 type=int16 bytes=48", "", "canvas 0: bad width \"0\": expected an integer >= 1"},
        {"width=-4 height=3 depth=2 frames=1 type=int16 bytes=48", "", "canvas 0: bad width \"-4\": *"},
        {"width=4 height=3 depth=2 frames=1 type=int128 bytes=48", "", "canvas 0: bad type \"int128\": *"},
        {"width=4 height=3 depth=2 frames=1 type=int16 bytes=48 extra=1", "", "canvas 0: expected key spacing= where \"extra=1\" is"},
        {"height=3 width=4 depth=2 frames=1 type=int16 bytes=48", "", "canvas 0: expected key width= *"},
        {"width=4  height=3 depth=2 frames=1 type=int16 bytes=48", "", "canvas 0: expected key height= *"},
        {"width=4 height=3 depth=2 frames=1 type=int16 bytes=48", " ", NULL}, /* a trailing space: a later key, empty */
        {"width=4611686018427387904 height=4611686018427387904 depth=1 frames=1 type=uint8 bytes=1", "", "canvas 0: bytes=1, but a * canvas is more than *"},
        {"width=4 height=3 depth=2 frames=1 type=int16 bytes=18446744073709551616", "", "canvas 0: bad bytes *"},
    };
    int id = 7;
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        describe(text, sizeof text, id, bad[k].geometry, bad[k].rest);
        errno = 0;
        int rc = mx_canvas_parse(text, 0, &c);
        if (bad[k].message == NULL) {
            CHECK(rc == 0);
            continue;
        }
        CHECK(rc == -1 && errno == EINVAL);
        /* '*' in the expected message: compare only the part before it */
        const char *star = strchr(bad[k].message, '*');
        size_t n = star ? (size_t)(star - bad[k].message) : strlen(bad[k].message) + 1;
        if (strncmp(c.error, bad[k].message, n) != 0)
            printf("  (case %zu said: %s)\n", k, c.error);
        CHECK(strncmp(c.error, bad[k].message, n) == 0);
    }
    static const char *const broken[] = {
        "",
        "mxcanvas 2\ncanvas 0 shmid=1\n",
        "mxcanvas 1",
        "MXCANVAS 1\n",
        "mxcanvas 1\ncanvas 1 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1 tstep=1 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1,1 tstep=1 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,,1 tstep=1 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=0x10 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=cm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm,sec slope=nan(1) inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm,sec slope=1 inter=1e999 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1,2\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm,sec slope=1 inter=0\n",
        "mxcanvas 1\ncanvas 0 shmid=2147483648 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n",
        "mxcanvas 1\ncanvas 0 shmid=+1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\n\n",
        "mxcanvas 1\ncanvas 0 shmid=1 width=1 height=1 depth=1 frames=1 type=uint8 bytes=1 spacing=1,1,1 tstep=1 units=mm,sec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1\ncanvas 1 shmid=x\n",
    };
    for (size_t k = 0; k < sizeof broken / sizeof broken[0]; k++) {
        errno = 0;
        int rc = mx_canvas_parse(broken[k], 0, &c);
        if (rc != -1 || errno != EINVAL)
            printf("  (broken case %zu: rc %d, errno %d, %s)\n", k, rc, errno, c.error);
        CHECK(rc == -1 && errno == EINVAL && c.error[0] != '\0');
    }
    CHECK(mx_canvas_parse("mxcanvas 2\n", 0, &c) == -1 &&
          strcmp(c.error, "the first line \"mxcanvas 2\" is not \"mxcanvas 1\": expected version 1 of the format") == 0);
    CHECK(mx_canvas_parse(broken[2], 0, &c) == -1 && strstr(c.error, "does not end with a newline") != NULL);
}

static void env_segment(void)
{
    struct mx_canvas c;
    char text[1024];
    int next = 0;
    int id = shmget(IPC_PRIVATE, 48, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0);
    if (id < 0)
        return;
    unsetenv("MXCANVAS");
    errno = 0;
    CHECK(mx_canvas_from_env(0, &c) == -1 && errno == ENOENT && strncmp(c.error, "not set: ", 9) == 0);

    describe(text, sizeof text, id, "width=4 height=3 depth=2 frames=1 type=int16 bytes=48", "");
    setenv("MXCANVAS", text, 1);
    CHECK(mx_canvas_from_env(0, &c) == 0 && c.shmid == id && c.bytes == 48 && c.spacing[1] == 4.5);
    int16_t *v = mx_canvas_attach(&c);
    CHECK(v != NULL);
    if (v != NULL) {
        v[MX_VOXEL_OFFSET(1, 2, 1, 4, 3)] = 777;
        CHECK(mx_detach(v) == 0);
    }
    errno = 0;
    CHECK(mx_canvas_from_env(1, &c) == -1 && errno == ENOENT);

    /* the right geometry for another segment size: refused before any attach */
    describe(text, sizeof text, id, "width=4 height=3 depth=2 frames=1 type=int32 bytes=96", "");
    setenv("MXCANVAS", text, 1);
    errno = 0;
    CHECK(mx_canvas_from_env(0, &c) == -1 && errno == EINVAL && nattch(id) == 0);
    CHECK(strstr(c.error, "is 48 bytes, but MXCANVAS describes a 4x3x2x1 int32 canvas of 96 bytes") != NULL);

    /* the tools' convention: arguments first when given, else MXCANVAS */
    char a[] = "prog", s[16], w[] = "4", h[] = "3", d[] = "2", f[] = "1", t[] = "int16", opt[] = "--x", lvl[] = "5";
    snprintf(s, sizeof s, "%d", id);
    char *given[] = {a, s, w, h, d, f, t, opt, lvl, NULL};
    CHECK(mx_canvas_from_args("check", 9, given, &c, &next) == 0 && next == 7 && c.shmid == id && c.bytes == 48 &&
          c.geometry.type == MX_INT16 && c.slope == 1 && c.affine[1][1] == 1 && strcmp(c.space_units, "unknown") == 0);
    char *options[] = {a, opt, lvl, NULL};
    describe(text, sizeof text, id, "width=4 height=3 depth=2 frames=1 type=int16 bytes=48", "");
    setenv("MXCANVAS", text, 1);
    CHECK(mx_canvas_from_args("check", 3, options, &c, &next) == 0 && next == 1 && c.shmid == id && c.slope == 0.0754);
    int16_t *r = mx_canvas_attach_report("check", &c);
    CHECK(r != NULL && r[MX_VOXEL_OFFSET(1, 2, 1, 4, 3)] == 777);
    if (r != NULL)
        CHECK(mx_detach(r) == 0);
    unsetenv("MXCANVAS");
    CHECK(mx_canvas_from_args("check", 3, options, &c, &next) == -1);

    CHECK(shmctl(id, IPC_RMID, NULL) == 0);
    describe(text, sizeof text, id, "width=4 height=3 depth=2 frames=1 type=int16 bytes=48", "");
    setenv("MXCANVAS", text, 1);
    errno = 0;
    CHECK(mx_canvas_from_env(0, &c) == -1 && (errno == EINVAL || errno == EIDRM) &&
          strstr(c.error, "never created, or already freed") != NULL);
    unsetenv("MXCANVAS");
}

int main(int argc, char **argv)
{
    if (argc > 1 && setlocale(LC_ALL, argv[1]) == NULL) {
        printf("cannot set locale %s\n", argv[1]);
        return 100;
    }
    attach_errors();
    offsets();
    parsers();
    voxels();
    env_parse();
    env_segment();
    if (failures == 0)
        printf("ok %d checks\n", checks);
    return failures > 100 ? 100 : failures;
}
