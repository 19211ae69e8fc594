//! NIfTI-1 / Analyze 7.5 `datatype` codes and the canvas voxel types they map to.

use crate::core::error::MxResult;
use crate::core::{MxError, VoxelType};

/// (code, name) of every datatype the NIfTI-1 standard defines; the names
/// are used in error messages for the ones a canvas cannot hold.
const ALL_CODES: [(i16, &str); 18] = [
    (1, "binary"),
    (2, "uint8"),
    (4, "int16"),
    (8, "int32"),
    (16, "float32"),
    (32, "complex64"),
    (64, "float64"),
    (128, "rgb24"),
    (255, "all"),
    (256, "int8"),
    (512, "uint16"),
    (768, "uint32"),
    (1024, "int64"),
    (1280, "uint64"),
    (1536, "float128"),
    (1792, "complex128"),
    (2048, "complex256"),
    (2304, "rgba32"),
];

/// The NIfTI-1 datatype code of a voxel type.
pub fn code_of(vtype: VoxelType) -> i16 {
    match vtype {
        VoxelType::Uint8 => 2,
        VoxelType::Int16 => 4,
        VoxelType::Int32 => 8,
        VoxelType::Float32 => 16,
        VoxelType::Float64 => 64,
        VoxelType::Int8 => 256,
        VoxelType::Uint16 => 512,
        VoxelType::Uint32 => 768,
        VoxelType::Int64 => 1024,
        VoxelType::Uint64 => 1280,
    }
}

/// Can Analyze 7.5 store this type? (It predates the unsigned 16/32-bit,
/// signed 8-bit and 64-bit integer codes that NIfTI-1 added; nibabel refuses
/// to write those types as Analyze too.)
pub fn analyze_can_store(vtype: VoxelType) -> bool {
    matches!(vtype, VoxelType::Uint8 | VoxelType::Int16 | VoxelType::Int32 | VoxelType::Float32 | VoxelType::Float64)
}

fn code_name(code: i16) -> String {
    ALL_CODES.iter().find(|(c, _)| *c == code).map_or_else(|| format!("unknown type {code}"), |(_, n)| n.to_string())
}

/// Why a NIfTI type has no canvas type (docs/formats.md says more).
fn why_not(code: i16) -> &'static str {
    match code {
        128 | 2304 => " (a voxel is a canvas value, and a colour voxel is 3 or 4: split the channels into separate files first)",
        32 | 1792 | 2048 => " (canvas values are real numbers: save the real and imaginary parts, or magnitude and phase, as separate files)",
        1536 => " (there is no portable 128-bit float in C, Rust or numpy across platforms: convert it to float64)",
        _ => "",
    }
}

/// The voxel type for `code`, checked against `bitpix`; `file` names the file in errors.
pub fn voxel_type(code: i16, bitpix: i16, file: &str) -> MxResult<VoxelType> {
    let vtype = VoxelType::ALL.into_iter().find(|&t| code_of(t) == code).ok_or_else(|| {
        let name = code_name(code);
        MxError::mx(
            format!(
                "\"{file}\" holds voxels of type {name} (datatype {code}): canvases hold {}{}",
                VoxelType::all_names("or"),
                why_not(code)
            ),
            &["FORMAT", "TYPE", &name],
        )
    })?;
    let expected = 8 * vtype.size() as i16;
    if bitpix != expected {
        return Err(MxError::mx(
            format!(
                "\"{file}\" is inconsistent: datatype {code} ({}) has {expected} bits per voxel but bitpix says {bitpix}",
                vtype.name()
            ),
            &["FORMAT", "BITPIX", &bitpix.to_string()],
        ));
    }
    Ok(vtype)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contract_type_round_trips() {
        for t in VoxelType::ALL {
            assert_eq!(voxel_type(code_of(t), 8 * t.size() as i16, "f").unwrap(), t);
        }
    }

    #[test]
    fn foreign_types_are_refused_by_name() {
        for (code, name) in
            [(32, "complex64"), (128, "rgb24"), (1536, "float128"), (1, "binary"), (77, "unknown type 77")]
        {
            let e = voxel_type(code, 64, "x.nii").unwrap_err();
            assert_eq!(e.code, ["MX", "FORMAT", "TYPE", name]);
        }
    }

    #[test]
    fn sixty_four_bit_integers_have_their_nifti_codes() {
        assert_eq!(voxel_type(1024, 64, "f").unwrap(), VoxelType::Int64);
        assert_eq!(voxel_type(1280, 64, "f").unwrap(), VoxelType::Uint64);
        assert!(!analyze_can_store(VoxelType::Int64) && !analyze_can_store(VoxelType::Uint64));
        assert_eq!(voxel_type(1024, 32, "f").unwrap_err().code, ["MX", "FORMAT", "BITPIX", "32"]);
    }

    #[test]
    fn bitpix_must_agree() {
        let e = voxel_type(4, 8, "x.nii").unwrap_err();
        assert_eq!(e.code, ["MX", "FORMAT", "BITPIX", "8"]);
    }
}
