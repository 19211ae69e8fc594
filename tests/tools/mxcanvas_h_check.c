/*
 * mxcanvas_h_check: exercises include/mxcanvas.h against the real kernel.
 *
 *     mxcanvas_h_check
 *
 * Creates its own private segments (and removes them), checks mx_attach's
 * errors (EINVAL for a wrong size and for a bad or removed shmid), a good
 * attach/detach, MX_VOXEL_OFFSET, the parsers and mx_get/mx_set. Prints one
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

int main(void)
{
    attach_errors();
    offsets();
    parsers();
    voxels();
    if (failures == 0)
        printf("ok %d checks\n", checks);
    return failures > 100 ? 100 : failures;
}
