/*
 * envdump: what include/mxcanvas.h reads from MXCANVAS, for tests/kit-env.test.
 *
 *     envdump INDEX [X Y Z T VALUE]
 *
 * Reads canvas INDEX with mx_canvas_from_env, prints what it read (one
 * "key=value" line each: canvas, zooms, scaling, units, affine), and with
 * X Y Z T VALUE attaches the canvas and sets voxel (X,Y,Z,T) to VALUE
 * (MX_VOXEL_OFFSET4, mx_set). The Rust (client/examples/envdump.rs) and
 * Python (tests/tools/envdump.py) versions print the same lines.
 * Exit status: 0 done, 1 MXCANVAS refused or the segment unusable, 2 usage.
 */
#include "mxcanvas.h"

int main(int argc, char **argv)
{
    long long index, xyzt[4];
    double value = 0;
    struct mx_canvas c;
    if ((argc != 2 && argc != 7) || mx_parse_long("envdump", "index", argv[1], 0, INT_MAX, &index) == -1) {
        fprintf(stderr, "usage: envdump INDEX [X Y Z T VALUE]\n");
        return 2;
    }
    for (int k = 0; argc == 7 && k < 4; k++)
        if (mx_parse_long("envdump", "coordinate", argv[k + 2], 0, LLONG_MAX, &xyzt[k]) == -1)
            return 2;
    if (argc == 7 && mx_parse_double("envdump", "value", argv[6], &value) == -1)
        return 2;
    if (mx_canvas_from_env((int)index, &c) == -1) {
        fprintf(stderr, "envdump: MXCANVAS: %s\n", c.error);
        return 1;
    }
    const struct mx_geometry *g = &c.geometry;
    printf("canvas=%lld shmid=%d %zux%zux%zux%zu %s %zu\n", index, c.shmid, g->width, g->height, g->depth, g->frames,
           mx_type_name(g->type), c.bytes);
    printf("zooms=%.17g,%.17g,%.17g", c.spacing[0], c.spacing[1], c.spacing[2]);
    if (g->frames > 1)
        printf(",%.17g", c.tstep);
    printf("\nscaling=%.17g,%.17g\nunits=%s,%s\naffine=", c.slope, c.inter, c.space_units, c.time_units);
    for (int r = 0; r < 4; r++)
        for (int k = 0; k < 4; k++)
            printf("%.17g%s", c.affine[r][k], r == 3 && k == 3 ? "\n" : ",");
    if (argc == 7) {
        void *vox = mx_canvas_attach_report("envdump", &c);
        if (vox == NULL)
            return 1;
        mx_set(vox, g->type, MX_VOXEL_OFFSET4(xyzt[0], xyzt[1], xyzt[2], xyzt[3], g->width, g->height, g->depth),
               value);
        mx_detach(vox);
    }
    return 0;
}
