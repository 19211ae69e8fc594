//! # mxcanvas-client: the Rust kit for external programs
//!
//! An mxcanvas script hands a canvas to an external program as the shmid of
//! a System V shared memory segment plus the canvas's geometry on the command
//! line (`MxExternCanvas`, or `mx::transport`). This crate makes the program
//! side safe and short:
//!
//! * [`Segment::attach`] checks the segment's real size (IPC_STAT) against the
//!   [`Geometry`] before attaching, so a wrong geometry is an error, never an
//!   out-of-bounds access;
//! * the voxels come as `&[T]` / `&mut [T]` for the contract's voxel types
//!   (`u8 i8 u16 i16 u32 i32 f32 f64`), checked against the geometry's type;
//!   [`Segment::apply_mut`] runs one generic function for whichever type it is;
//! * dropping the [`Segment`] detaches (`shmdt`); freeing the segment stays
//!   the script's job;
//! * under `mx::exec`, [`Segment::from_env`] takes the canvas from the
//!   environment variable `MXCANVAS` instead of the command line, with a
//!   [`Description`] of what its voxels mean: spacing and units, value
//!   [`Scaling`], the voxel-to-world affine (nibabel's `img.affine`);
//!   [`Description::from_args_or_env`] gives a tool both ways, the kit's
//!   convention `tool SHMID WIDTH HEIGHT DEPTH FRAMES TYPE [options]` or
//!   `tool [options]` under `mx::exec`.
//!
//! It depends on nothing but `libc` (no Tcl): its own small `sys` module makes
//! the three system calls.
//!
//! ```no_run
//! use mxcanvas_client::{parse_shmid, Geometry, Segment};
//!
//! // invert SHMID WIDTH HEIGHT DEPTH FRAMES uint8
//! fn main() {
//!     let args: Vec<String> = std::env::args().skip(1).collect();
//!     if let Err(e) = run(&args) {
//!         eprintln!("invert: {e}"); // Display: what was wrong, what was expected
//!         std::process::exit(1);
//!     }
//! }
//!
//! fn run(args: &[String]) -> Result<(), mxcanvas_client::Error> {
//!     let shmid = parse_shmid(args.first().map_or("", |s| s.as_str()))?;
//!     let geometry = Geometry::from_args(args.get(1..).unwrap_or(&[]))?;
//!     let mut canvas = Segment::attach(shmid, geometry)?;
//!     for v in canvas.as_mut_slice::<u8>()? {
//!         *v = 255 - *v;
//!     }
//!     Ok(()) // `canvas` detaches here
//! }
//! ```
//!
//! Under `mx::exec` (`mx::exec $c ./scaled-mean`), the same tool reads
//! `MXCANVAS` and gets the value scaling with the voxels:
//!
//! ```no_run
//! use mxcanvas_client::Segment;
//!
//! fn main() -> Result<(), mxcanvas_client::Error> {
//!     let (canvas, described) = Segment::from_env(0)?;
//!     let scaling = described.scaling(); // real = stored * slope + inter
//!     let stored = canvas.as_slice::<i16>()?;
//!     let mean = stored.iter().map(|&v| scaling.real(v as f64)).sum::<f64>() / stored.len() as f64;
//!     println!("mean {mean} (voxels {:?} mm, affine {:?})", described.zooms(), described.affine());
//!     Ok(())
//! }
//! ```
//!
//! The layout is the contract's: voxel (x, y, z, t) is at
//! [`Geometry::index`]`(x, y, z, t) = ((t*depth + z)*height + y)*width + x`.

mod description;
mod error;
mod geometry;
mod segment;
mod sys;
mod voxel;

pub use description::{Description, Scaling, ENV};
pub use error::Error;
pub use geometry::{parse_shmid, Geometry};
pub use segment::{Segment, VoxelsFn, VoxelsMutFn};
pub use voxel::{Voxel, VoxelType};
