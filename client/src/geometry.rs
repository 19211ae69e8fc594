//! A canvas's geometry as the script passes it on the command line.

use crate::{Error, VoxelType};
use std::fmt;

/// `width x height x depth x frames` voxels of one type, laid out x fastest,
/// then y, z, t (the contract's layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    width: usize,
    height: usize,
    depth: usize,
    frames: usize,
    voxel_type: VoxelType,
    voxels: usize,
}

impl Geometry {
    /// A geometry; every dimension must be >= 1 and the byte count must fit
    /// in `usize`.
    pub fn new(
        width: usize,
        height: usize,
        depth: usize,
        frames: usize,
        voxel_type: VoxelType,
    ) -> Result<Geometry, Error> {
        let dims = [("width", width), ("height", height), ("depth", depth), ("frames", frames)];
        if let Some((what, _)) = dims.iter().find(|(_, n)| *n == 0) {
            return Err(Error::Argument { what, text: "0".into(), expected: "an integer >= 1".into() });
        }
        let label = format!("{width}x{height}x{depth}x{frames} {voxel_type}");
        let voxels = dims
            .iter()
            .try_fold(1usize, |n, (_, d)| n.checked_mul(*d))
            .filter(|n| n.checked_mul(voxel_type.size()).is_some())
            .ok_or(Error::TooLarge { geometry: label })?;
        Ok(Geometry { width, height, depth, frames, voxel_type, voxels })
    }

    /// A single volume (frames = 1).
    pub fn volume(width: usize, height: usize, depth: usize, voxel_type: VoxelType) -> Result<Geometry, Error> {
        Geometry::new(width, height, depth, 1, voxel_type)
    }

    /// Parse the five arguments `WIDTH HEIGHT DEPTH FRAMES TYPE` (what
    /// `mx::geometry` gives in Tcl, and what the kit's tools take after the
    /// shmid).
    pub fn from_args<S: AsRef<str>>(args: &[S]) -> Result<Geometry, Error> {
        if args.len() != 5 {
            return Err(Error::Argument {
                what: "geometry",
                text: args.iter().map(|a| a.as_ref()).collect::<Vec<_>>().join(" "),
                expected: "WIDTH HEIGHT DEPTH FRAMES TYPE".into(),
            });
        }
        let dim = |what: &'static str, text: &str| -> Result<usize, Error> {
            text.parse::<usize>().ok().filter(|&n| n >= 1).ok_or_else(|| Error::Argument {
                what,
                text: text.to_string(),
                expected: "an integer >= 1".into(),
            })
        };
        let a = |i: usize| args[i].as_ref();
        Geometry::new(
            dim("width", a(0))?,
            dim("height", a(1))?,
            dim("depth", a(2))?,
            dim("frames", a(3))?,
            a(4).parse()?,
        )
    }

    pub fn width(&self) -> usize {
        self.width
    }
    pub fn height(&self) -> usize {
        self.height
    }
    pub fn depth(&self) -> usize {
        self.depth
    }
    pub fn frames(&self) -> usize {
        self.frames
    }
    pub fn voxel_type(&self) -> VoxelType {
        self.voxel_type
    }

    /// Number of voxels.
    pub fn voxels(&self) -> usize {
        self.voxels
    }

    /// Bytes: what `MxExternCanvas` makes the segment.
    pub fn bytes(&self) -> usize {
        self.voxels * self.voxel_type.size()
    }

    /// Voxels in one frame (one volume).
    pub fn frame_voxels(&self) -> usize {
        self.width * self.height * self.depth
    }

    /// Index of voxel (x, y, z, t): `((t*depth + z)*height + y)*width + x`,
    /// the FAQ's `(z*height + y)*width + x` for a single volume.
    pub fn index(&self, x: usize, y: usize, z: usize, t: usize) -> usize {
        debug_assert!(x < self.width && y < self.height && z < self.depth && t < self.frames);
        ((t * self.depth + z) * self.height + y) * self.width + x
    }
}

impl fmt::Display for Geometry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}x{}x{} {}", self.width, self.height, self.depth, self.frames, self.voxel_type)
    }
}

/// Parse a shmid argument: a decimal integer >= 0 (0 is a valid id).
pub fn parse_shmid(text: &str) -> Result<i32, Error> {
    text.parse::<i32>().ok().filter(|&id| id >= 0).ok_or_else(|| Error::Argument {
        what: "shmid",
        text: text.to_string(),
        expected: format!("an integer from 0 to {}", i32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_the_faq_offset() {
        let g = Geometry::new(7, 5, 4, 3, VoxelType::Int16).unwrap();
        assert_eq!(g.index(0, 0, 0, 0), 0);
        assert_eq!(g.index(2, 3, 1, 0), (5 + 3) * 7 + 2); // z = 1: (1*5 + 3)*7 + 2
        assert_eq!(g.index(2, 3, 1, 2), ((2 * 4 + 1) * 5 + 3) * 7 + 2);
        assert_eq!(g.voxels(), 7 * 5 * 4 * 3);
        assert_eq!(g.bytes(), 7 * 5 * 4 * 3 * 2);
        assert_eq!(g.frame_voxels(), 140);
        assert_eq!(g.to_string(), "7x5x4x3 int16");
    }

    #[test]
    fn from_args_checks_everything() {
        let g = Geometry::from_args(&["4", "3", "2", "1", "float64"]).unwrap();
        assert_eq!((g.width(), g.height(), g.depth(), g.frames()), (4, 3, 2, 1));
        assert_eq!(g.voxel_type(), VoxelType::Float64);
        for bad in [
            &["0", "3", "2", "1", "uint8"][..],
            &["4", "-3", "2", "1", "uint8"],
            &["4", "3", "x", "1", "uint8"],
            &["4", "3", "2", "1", "int128"],
            &["4", "3", "2", "1"],
        ] {
            let e = Geometry::from_args(bad).unwrap_err();
            assert!(matches!(e, Error::Argument { .. }), "{bad:?}: {e}");
        }
        let e = Geometry::from_args(&["4", "0", "2", "1", "uint8"]).unwrap_err();
        assert_eq!(e.to_string(), "bad height \"0\": expected an integer >= 1");
    }

    #[test]
    fn overflow_is_an_error() {
        let big = usize::MAX / 2;
        assert!(matches!(Geometry::new(big, 3, 1, 1, VoxelType::Uint8), Err(Error::TooLarge { .. })));
        assert!(matches!(Geometry::new(big, 1, 1, 1, VoxelType::Float64), Err(Error::TooLarge { .. })));
    }

    #[test]
    fn shmids() {
        assert_eq!(parse_shmid("0").unwrap(), 0);
        assert_eq!(parse_shmid("65538").unwrap(), 65538);
        assert!(parse_shmid("-1").is_err());
        assert!(parse_shmid("1x").is_err());
        assert!(parse_shmid("").is_err());
        assert!(parse_shmid("4294967296").is_err());
    }
}
