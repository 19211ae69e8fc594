/*
 * threshold: binarise a canvas in place, for any of the ten voxel types.
 *
 *     threshold SHMID WIDTH HEIGHT DEPTH FRAMES TYPE [--on V] [--off V] LEVEL
 *     threshold [--on V] [--off V] LEVEL          (MXCANVAS describes the canvas)
 *
 * Every voxel whose value is >= LEVEL becomes ON (default 1), every other
 * voxel OFF (default 0). The canvas arguments are the shmid and what
 * mx::geometry gives; under mx::exec the tool needs none of them:
 *
 *     mx::transport id $c { exec threshold $id {*}[mx::geometry $c] 100 }
 *     mx::exec $c threshold 100
 *
 * Uses include/mxcanvas.h: the canvas from its arguments or from MXCANVAS
 * (mx_canvas_from_args), checked argument parsing, a size-checked attach,
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
            "usage: %s SHMID WIDTH HEIGHT DEPTH FRAMES TYPE [--on V] [--off V] LEVEL\n"
            "       %s [--on V] [--off V] LEVEL      (the canvas described by MXCANVAS)\n"
            "\n"
            "Binarise the canvas in shared memory segment SHMID in place: voxels >= LEVEL\n"
            "become V of --on (default 1), all others V of --off (default 0).\n"
            "TYPE is one of uint8 int8 uint16 int16 uint32 int32 float32 int64 uint64\n"
            "float64; the segment must be exactly WIDTH*HEIGHT*DEPTH*FRAMES voxels of TYPE.\n"
            "In Tcl:  mx::transport id $c { exec %s $id {*}[mx::geometry $c] LEVEL }\n"
            "         mx::exec $c %s LEVEL\n",
            prog, prog, prog, prog);
}

int main(int argc, char **argv)
{
    double on = 1.0, off = 0.0, level;
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            usage(stdout);
            return 0;
        }
    }
    struct mx_canvas c;
    int i;
    if (mx_canvas_from_args(prog, argc, argv, &c, &i) == -1)
        return 2;
    for (; i < argc && strncmp(argv[i], "-", 1) == 0 && !isdigit((unsigned char)argv[i][1]); i++) {
        if (strcmp(argv[i], "--") == 0) {
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
    if (argc - i != 1) {
        fprintf(stderr, "%s: expected one LEVEL after the options, got %d arguments\n", prog, argc - i);
        usage(stderr);
        return 2;
    }
    if (mx_parse_double(prog, "level", argv[i], &level) == -1)
        return 2;
    const struct mx_geometry *g = &c.geometry;
    if (!mx_value_fits(g->type, on) || !mx_value_fits(g->type, off)) {
        fprintf(stderr, "%s: --on %g / --off %g do not fit a %s voxel: expected values of that type\n",
                prog, on, off, mx_type_name(g->type));
        return 2;
    }

    size_t voxels = 0;
    mx_geometry_voxels(g, &voxels); /* cannot fail: the description was checked */
    void *vox = mx_canvas_attach_report(prog, &c);
    if (vox == NULL)
        return 1;
    for (size_t k = 0; k < voxels; k++)
        mx_set(vox, g->type, k, mx_get(vox, g->type, k) >= level ? on : off);
    if (mx_detach(vox) == -1) {
        fprintf(stderr, "%s: shmdt: %s\n", prog, strerror(errno));
        return 1;
    }
    return 0;
}
