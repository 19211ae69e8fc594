//! The safe core: canvases, geometry, voxel types and transports.
//!
//! Layering (scripts/module-graph.sh checks there is no cycle): `transport`
//! (the table of handed-out segments) uses `canvas`, `shared` and `segment`;
//! `canvas` uses `storage`, which uses `shared` (a canvas's own segment),
//! which uses `segment` (key allocation, creation); `orphans` uses `segment`.
//!
//! Nothing here knows about Tcl, and nothing here is `unsafe`: the only
//! operating-system access goes through [`crate::sys`].

pub mod affine;
pub mod canvas;
pub mod copy;
pub mod describe;
pub mod error;
pub mod exit_gate;
pub mod fork_guard;
pub mod geometry;
pub mod integer_text;
pub mod limits;
pub mod metadata;
pub mod mode;
pub mod orphans;
pub mod region;
pub mod segment;
pub mod shared;
pub mod stats;
pub mod storage;
pub mod transport;
pub mod voxel;

pub use canvas::Canvas;
pub use error::MxError;
pub use geometry::Geometry;
pub use metadata::Metadata;
pub use voxel::{Value, VoxelType};
