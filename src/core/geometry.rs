//! Canvas geometry: `width x height x depth x frames`, the MEDx layout and
//! overflow-checked size arithmetic.
//!
//! Voxel (x,y,z,t) sits at voxel offset `((t*depth + z)*height + y)*width + x`:
//! x fastest, then y, z and t — the FAQ's `(z*height + y)*width + x` for one volume.

use super::error::{MxError, MxResult};
use super::voxel::VoxelType;

/// The largest single dimension accepted (the largest Tcl `int`): anything
/// bigger is a typing mistake, not an image.
pub const MAX_DIMENSION: u64 = i32::MAX as u64;

/// The largest canvas in bytes: what a Rust allocation or a System V segment
/// can address on this platform.
pub const MAX_BYTES: u64 = isize::MAX as u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Geometry {
    pub width: usize,
    pub height: usize,
    pub depth: usize,
    pub frames: usize,
}

/// The names of the four axes, in layout order, as `MxCanvas create` spells them.
pub const AXES: [&str; 4] = ["width", "height", "depth", "frames"];

/// The one wording of a bad dimension (`-width`, ...), given as `text`.
pub fn dimension_error(option: &str, text: &str) -> MxError {
    MxError::mx(
        format!("bad {option} {text}: expected an integer from 1 to {MAX_DIMENSION}"),
        &["GEOMETRY", option, text],
    )
}

/// The one wording of a voxel coordinate outside the canvas; `extent` is the
/// axis's size when known (not for an integer too large to read at all).
pub fn index_error(axis: &str, text: &str, extent: Option<usize>) -> MxError {
    let expected = extent.map(|n| format!(": expected {axis} from 0 to {}", n.saturating_sub(1))).unwrap_or_default();
    MxError::mx(format!("voxel index {axis} = {text} is outside the canvas{expected}"), &["INDEX", axis, text])
}

impl Geometry {
    /// A geometry for voxels of `vtype`; each dimension must be `1..=MAX_DIMENSION`
    /// and the total size must fit in [`MAX_BYTES`]. Checked before anything is allocated.
    pub fn new(dims: [i64; 4], vtype: VoxelType) -> MxResult<Geometry> {
        for (axis, &d) in AXES.iter().zip(dims.iter()) {
            if d < 1 || d as u64 > MAX_DIMENSION {
                return Err(dimension_error(&format!("-{axis}"), &d.to_string()));
            }
        }
        let too_large = || {
            MxError::mx(
                format!(
                    "a {}x{}x{}x{} {} canvas is too large: it needs more than {MAX_BYTES} bytes",
                    dims[0],
                    dims[1],
                    dims[2],
                    dims[3],
                    vtype.name()
                ),
                &["GEOMETRY", "TOOLARGE"],
            )
        };
        let bytes =
            dims.iter().try_fold(vtype.size() as u64, |acc, &d| acc.checked_mul(d as u64)).ok_or_else(too_large)?;
        if bytes > MAX_BYTES {
            return Err(too_large());
        }
        let [width, height, depth, frames] = dims.map(|d| d as usize);
        Ok(Geometry { width, height, depth, frames })
    }

    /// Number of voxels. Cannot overflow: `new` checked the byte count.
    pub fn voxels(&self) -> usize {
        self.width * self.height * self.depth * self.frames
    }

    /// Size in bytes for voxels of `vtype`.
    pub fn bytes(&self, vtype: VoxelType) -> usize {
        self.voxels() * vtype.size()
    }

    pub fn dims(&self) -> [usize; 4] {
        [self.width, self.height, self.depth, self.frames]
    }

    /// The voxel offset of (x,y,z,t), or an `MX INDEX` error naming the first
    /// coordinate that is outside the canvas.
    pub fn offset(&self, coords: [i64; 4]) -> MxResult<usize> {
        // Hot path of `$c get`/`$c set`: one unsigned compare per axis
        // (a negative coordinate becomes huge); the loop below only words the error.
        let [x, y, z, t] = coords.map(|c| c as u64);
        if x < self.width as u64 && y < self.height as u64 && z < self.depth as u64 && t < self.frames as u64 {
            let [x, y, z, t] = [x, y, z, t].map(|c| c as usize);
            return Ok(((t * self.depth + z) * self.height + y) * self.width + x);
        }
        let names = ["x", "y", "z", "t"];
        for ((name, &c), &n) in names.iter().zip(coords.iter()).zip(self.dims().iter()) {
            if c < 0 || c as u64 >= n as u64 {
                return Err(index_error(name, &c.to_string(), Some(n)));
            }
        }
        let [x, y, z, t] = coords.map(|c| c as usize);
        Ok(((t * self.depth + z) * self.height + y) * self.width + x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_x_fastest() {
        let g = Geometry::new([4, 3, 2, 2], VoxelType::Uint8).unwrap();
        assert_eq!(g.offset([0, 0, 0, 0]).unwrap(), 0);
        assert_eq!(g.offset([1, 0, 0, 0]).unwrap(), 1);
        assert_eq!(g.offset([0, 1, 0, 0]).unwrap(), 4);
        assert_eq!(g.offset([0, 0, 1, 0]).unwrap(), 12);
        assert_eq!(g.offset([0, 0, 0, 1]).unwrap(), 24);
        assert_eq!(g.offset([3, 2, 1, 1]).unwrap(), 47);
        assert_eq!(g.voxels(), 48);
        assert_eq!(g.bytes(VoxelType::Float64), 384);
    }

    #[test]
    fn bad_dimensions_are_refused() {
        let e = Geometry::new([0, 1, 1, 1], VoxelType::Uint8).unwrap_err();
        assert_eq!(e.code, ["MX", "GEOMETRY", "-width", "0"]);
        assert!(Geometry::new([1, -3, 1, 1], VoxelType::Uint8).is_err());
        assert!(Geometry::new([1, 1, 1, 1 << 40], VoxelType::Uint8).is_err());
    }

    #[test]
    fn overflowing_sizes_are_refused_before_allocation() {
        let big = MAX_DIMENSION as i64;
        let e = Geometry::new([big, big, big, big], VoxelType::Float64).unwrap_err();
        assert_eq!(e.code, ["MX", "GEOMETRY", "TOOLARGE"]);
        assert!(Geometry::new([big, big, 4, 1], VoxelType::Float64).is_err());
    }

    #[test]
    fn out_of_range_index_names_the_axis() {
        let g = Geometry::new([4, 3, 1, 1], VoxelType::Uint8).unwrap();
        let e = g.offset([0, 3, 0, 0]).unwrap_err();
        assert_eq!(e.code, ["MX", "INDEX", "y", "3"]);
        assert!(g.offset([-1, 0, 0, 0]).is_err());
        assert!(g.offset([0, 0, 1, 0]).is_err());
    }
}
