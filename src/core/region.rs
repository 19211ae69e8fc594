//! Regions: boxes of voxels read or written in one call
//! (`$c region get` / `$c region set`), in layout order (x fastest, then y, z, t).
//!
//! A region is checked against the canvas before anything is read or
//! written; its rows (runs of `width` voxels along x) are contiguous in the
//! canvas, so reading and writing go row by row.

use super::canvas::Canvas;
use super::error::{MxError, MxResult};
use super::geometry::{Geometry, AXES};
use super::voxel::Value;

const COORDS: [&str; 4] = ["x", "y", "z", "t"];

/// A box inside a canvas: `origin` (voxel coordinates) and `size` (voxels per axis).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    origin: [usize; 4],
    size: [usize; 4],
}

impl Region {
    /// The box at `origin` of `size` voxels, which must lie inside `g`:
    /// every size at least 1, origin inside, origin + size at most the dimension.
    pub fn new(g: &Geometry, origin: [i64; 4], size: [i64; 4]) -> MxResult<Region> {
        g.offset(origin)?; // MX INDEX naming the first coordinate outside
        let dims = g.dims();
        for axis in 0..4 {
            let (o, s, n) = (origin[axis], size[axis], dims[axis] as i64);
            if s < 1 {
                return Err(MxError::mx(
                    format!("bad region {} {s}: expected an integer of at least 1", AXES[axis]),
                    &["REGION", "SIZE", AXES[axis], &s.to_string()],
                ));
            }
            if s > n - o {
                let c = COORDS[axis];
                return Err(MxError::mx(
                    format!(
                        "region {c} from {o} with {} {s} reaches past the canvas: expected {c} + {} <= {n}",
                        AXES[axis], AXES[axis]
                    ),
                    &["REGION", "OUTSIDE", c, &o.to_string(), &s.to_string()],
                ));
            }
        }
        Ok(Region { origin: origin.map(|c| c as usize), size: size.map(|s| s as usize) })
    }

    /// Number of voxels in the region (it fits in the canvas, so no overflow).
    pub fn voxels(&self) -> usize {
        self.size.iter().product()
    }

    /// The voxel offset in the canvas of each row's first voxel, in layout order.
    fn row_starts(&self, g: &Geometry) -> impl Iterator<Item = usize> + '_ {
        let (o, s) = (self.origin, self.size);
        let (w, h, d) = (g.width, g.height, g.depth);
        (o[3]..o[3] + s[3]).flat_map(move |t| {
            (o[2]..o[2] + s[2]).flat_map(move |z| (o[1]..o[1] + s[1]).map(move |y| ((t * d + z) * h + y) * w + o[0]))
        })
    }
}

/// Call `f` with every voxel value of `region`, in layout order.
pub fn read_region(canvas: &Canvas, region: &Region, mut f: impl FnMut(Value)) {
    let vtype = canvas.voxel_type();
    let size = vtype.size();
    let row_bytes = region.size[0] * size;
    let bytes = canvas.as_bytes();
    for start in region.row_starts(&canvas.geometry()) {
        let at = start * size;
        for voxel in bytes[at..at + row_bytes].chunks_exact(size) {
            f(vtype.decode(voxel));
        }
    }
}

/// Write `encoded` (the region's voxels in layout order, native-endian, as
/// [`super::voxel::VoxelType::encode`] makes them) into the canvas. The
/// length must be exactly the region's bytes; otherwise nothing is written.
pub fn write_region(canvas: &mut Canvas, region: &Region, encoded: &[u8]) -> MxResult<()> {
    let size = canvas.voxel_type().size();
    let expected = region.voxels() * size;
    if encoded.len() != expected {
        return Err(length_error(region.voxels(), encoded.len() / size));
    }
    let row_bytes = region.size[0] * size;
    let geometry = canvas.geometry();
    let bytes = canvas.as_bytes_mut();
    for (start, row) in region.row_starts(&geometry).zip(encoded.chunks_exact(row_bytes)) {
        let at = start * size;
        bytes[at..at + row_bytes].copy_from_slice(row);
    }
    Ok(())
}

/// The error for a value list of the wrong length.
pub fn length_error(expected: usize, actual: usize) -> MxError {
    MxError::mx(
        format!("wrong number of values for the region: got {actual}, expected {expected} (width*height*depth*frames)"),
        &["REGION", "LENGTH", &expected.to_string(), &actual.to_string()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::VoxelType;

    fn canvas() -> Canvas {
        let t = VoxelType::Int32;
        let mut c = Canvas::new(Geometry::new([4, 3, 2, 2], t).unwrap(), t).unwrap();
        let bytes: Vec<u8> = (0..48i32).flat_map(|v| v.to_ne_bytes()).collect();
        c.replace_data(&bytes).unwrap();
        c
    }

    fn read(c: &Canvas, r: &Region) -> Vec<i128> {
        let mut out = vec![];
        read_region(c, r, |v| {
            out.push(match v {
                Value::Int(i) => i,
                Value::Float(_) => unreachable!(),
            })
        });
        out
    }

    #[test]
    fn reads_in_layout_order() {
        let c = canvas();
        let g = c.geometry();
        let r = Region::new(&g, [1, 1, 0, 1], [2, 2, 2, 1]).unwrap();
        assert_eq!(r.voxels(), 8);
        // offset = ((t*2+z)*3+y)*4+x with t=1
        assert_eq!(read(&c, &r), vec![29, 30, 33, 34, 41, 42, 45, 46]);
        let all = Region::new(&g, [0, 0, 0, 0], [4, 3, 2, 2]).unwrap();
        assert_eq!(read(&c, &all), (0..48).collect::<Vec<_>>());
    }

    #[test]
    fn writes_rows_and_checks_length() {
        let mut c = canvas();
        let g = c.geometry();
        let r = Region::new(&g, [2, 0, 1, 0], [2, 2, 1, 1]).unwrap();
        let values: Vec<u8> = [-1i32, -2, -3, -4].iter().flat_map(|v| v.to_ne_bytes()).collect();
        let e = write_region(&mut c, &r, &values[..12]).unwrap_err();
        assert_eq!(e.code, ["MX", "REGION", "LENGTH", "4", "3"]);
        assert_eq!(read(&c, &r), vec![14, 15, 18, 19], "a failed write changes nothing");
        write_region(&mut c, &r, &values).unwrap();
        assert_eq!(read(&c, &r), vec![-1, -2, -3, -4]);
        assert_eq!(c.get([1, 0, 1, 0]).unwrap(), Value::Int(13));
    }

    #[test]
    fn bad_regions_name_the_axis() {
        let g = canvas().geometry();
        assert_eq!(Region::new(&g, [4, 0, 0, 0], [1; 4]).unwrap_err().code, ["MX", "INDEX", "x", "4"]);
        assert_eq!(
            Region::new(&g, [0, 0, 0, 0], [1, 0, 1, 1]).unwrap_err().code,
            ["MX", "REGION", "SIZE", "height", "0"]
        );
        assert_eq!(
            Region::new(&g, [0, 1, 0, 0], [1, 3, 1, 1]).unwrap_err().code,
            ["MX", "REGION", "OUTSIDE", "y", "1", "3"]
        );
        assert!(Region::new(&g, [0, 0, 0, 0], [i64::MAX, 1, 1, 1]).is_err());
    }
}
