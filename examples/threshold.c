/*
 * threshold: binarise a canvas in place, for any of the ten voxel types.
 *
 *     threshold [--on V] [--off V] SHMID WIDTH HEIGHT DEPTH FRAMES TYPE LEVEL
 *
 * Every voxel whose value is >= LEVEL becomes ON (default 1), every other
 * voxel OFF (default 0). The geometry arguments are what mx::geometry gives:
 *
 *     mx::transport id $c { exec threshold $id {*}[mx::geometry $c] 100 }
 *
 * Uses include/mxcanvas.h: checked argument parsing, a size-checked attach,
 * type-generic voxel access. Everything is checked before the segment is
 * attached, so a wrong call exits non-zero with the segment untouched.
 * Exit status: 0 done, 1 the segment could not be used, 2 bad arguments.
 */
#include <ctype.h>

#include "mxcanvas.h"

static const char *const prog = "threshold";

static void usage(FILE *to)
{
    fprintf(to,
            "usage: %s [--on V] [--off V] SHMID WIDTH HEIGHT DEPTH FRAMES TYPE LEVEL\n"
            "\n"
            "Binarise the canvas in shared memory segment SHMID in place: voxels >= LEVEL\n"
            "become V of --on (default 1), all others V of --off (default 0).\n"
            "TYPE is one of uint8 int8 uint16 int16 uint32 int32 float32 int64 uint64\n"
            "float64; the segment must be exactly WIDTH*HEIGHT*DEPTH*FRAMES voxels of TYPE.\n"
            "In Tcl:  mx::transport id $c { exec %s $id {*}[mx::geometry $c] LEVEL }\n",
            prog, prog);
}

int main(int argc, char **argv)
{
    double on = 1.0, off = 0.0, level;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "-", 1) == 0 && !isdigit((unsigned char)argv[i][1]); i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if ((strcmp(argv[i], "--on") == 0 || strcmp(argv[i], "--off") == 0) && i + 1 < argc) {
            if (mx_parse_double(prog, argv[i] + 2, argv[i + 1], argv[i][3] == 'n' ? &on : &off) == -1)
                return 2;
            i++;
        } else {
            fprintf(stderr, "%s: unknown option or missing value: \"%s\"\n", prog, argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (argc - i != 7) {
        fprintf(stderr, "%s: expected 7 arguments after the options, got %d\n", prog, argc - i);
        usage(stderr);
        return 2;
    }
    int shmid;
    struct mx_geometry g;
    if (mx_parse_shmid(prog, argv[i], &shmid) == -1 || mx_parse_geometry(prog, argv + i + 1, &g) == -1 ||
        mx_parse_double(prog, "level", argv[i + 6], &level) == -1)
        return 2;
    if (!mx_value_fits(g.type, on) || !mx_value_fits(g.type, off)) {
        fprintf(stderr, "%s: --on %g / --off %g do not fit a %s voxel: expected values of that type\n",
                prog, on, off, mx_type_name(g.type));
        return 2;
    }

    size_t voxels;
    mx_geometry_voxels(&g, &voxels); /* cannot fail: mx_parse_geometry checked it */
    void *vox = mx_attach_report(prog, shmid, &g);
    if (vox == NULL)
        return 1;
    for (size_t k = 0; k < voxels; k++)
        mx_set(vox, g.type, k, mx_get(vox, g.type, k) >= level ? on : off);
    if (mx_detach(vox) == -1) {
        fprintf(stderr, "%s: shmdt: %s\n", prog, strerror(errno));
        return 1;
    }
    return 0;
}
