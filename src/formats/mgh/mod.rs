//! FreeSurfer MGH (`.mgh`) and its gzip (`.mgz`), read and written as
//! nibabel's `MGHImage` does: [`header`] the 284-byte big-endian header, the
//! scan parameters after the voxels and the voxel-to-world affine;
//! [`load`] a file into a canvas; [`save`] a canvas to a file. `.mgz` goes
//! through the project's own gzip path ([`super::gzip`]), as `.nii.gz` does.

pub mod header;
pub mod load;
pub mod save;

#[cfg(test)]
mod tests;
