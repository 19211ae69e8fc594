//! What a canvas knows about its voxels beyond their values: the facts an
//! image file header carries (NIfTI-1 / Analyze 7.5). Loading a file fills
//! it, saving writes it back, `$c info` shows it, `$c copy` keeps it.
//!
//! Fields are kept exactly as the header stores them (mostly `f32`), so a
//! load followed by a save writes the same numbers back.

/// The orientation and scaling facts of a canvas.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// Voxel size along x, y, z (NIfTI `pixdim[1..=3]`).
    pub spacing: [f32; 3],
    /// Time between frames (`pixdim[4]`).
    pub tstep: f32,
    /// NIfTI `xyzt_units`: spatial unit code in bits 0-2, temporal in bits 3-5.
    pub xyzt_units: u8,
    /// NIfTI qform: its code, quaternion (b, c, d), offset and `qfac` (`pixdim[0]`).
    pub qform_code: i16,
    pub quatern: [f32; 3],
    pub qoffset: [f32; 3],
    pub qfac: f32,
    /// NIfTI sform: its code and the three stored rows of the affine.
    pub sform_code: i16,
    pub srow: [[f32; 4]; 3],
    /// Free text (`descrip`, at most 80 bytes in the file).
    pub description: Vec<u8>,
    /// Stored value scaling: `real = stored * scl_slope + scl_inter`
    /// (a slope of 0 or NaN means "no scaling", as in NIfTI).
    pub scl_slope: f32,
    pub scl_inter: f32,
    /// Header fields that are not shown by `$c info` but survive a round trip.
    pub extra: HeaderExtras,
}

/// The rest of a NIfTI-1 header, kept so that a load/save round trip does
/// not lose it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderExtras {
    pub dim_info: u8,
    pub intent_p: [f32; 3],
    pub intent_code: i16,
    pub intent_name: Vec<u8>,
    pub slice_start: i16,
    pub slice_end: i16,
    pub slice_code: u8,
    pub slice_duration: f32,
    pub cal_min: f32,
    pub cal_max: f32,
    pub toffset: f32,
    pub aux_file: Vec<u8>,
    /// `pixdim[5..=7]`, spacing of dimensions beyond time.
    pub pixdim_rest: [f32; 3],
    /// The file's `dim[0]` (0 for a created canvas: a save then derives it
    /// from the geometry), kept so that a single-frame 4-D file stays 4-D.
    pub ndim: i16,
    /// Analyze 7.5 `orient` (0 transverse ... 5 flipped sagittal) and the
    /// SPM `originator`: 5 int16 voxel coordinates, 1-based (SPM's origin).
    pub orient: u8,
    pub origin: [i16; 5],
    /// Header bytes 4..39 (`data_type`, `db_name`, `extents`,
    /// `session_error`, `regular`): unused by NIfTI, kept as the file had
    /// them; zero (what nibabel writes) for a created canvas.
    pub unused_key: [u8; 35],
    /// Header extensions, in file order, as opaque bytes.
    pub extensions: Vec<Extension>,
}

/// One NIfTI-1 header extension: its `ecode` and its content (the `esize -
/// 8` bytes after the code, padding included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub code: i32,
    pub content: Vec<u8>,
}

impl Default for HeaderExtras {
    fn default() -> Self {
        HeaderExtras {
            dim_info: 0,
            intent_p: [0.0; 3],
            intent_code: 0,
            intent_name: Vec::new(),
            slice_start: 0,
            slice_end: 0,
            slice_code: 0,
            slice_duration: 0.0,
            cal_min: 0.0,
            cal_max: 0.0,
            toffset: 0.0,
            aux_file: Vec::new(),
            pixdim_rest: [0.0; 3],
            ndim: 0,
            orient: 0,
            origin: [0; 5],
            unused_key: [0; 35],
            extensions: Vec::new(),
        }
    }
}

impl Default for Metadata {
    /// What `MxCanvas create` gives: unit spacing, identity orientation with
    /// no claim about the space (codes 0), no scaling.
    fn default() -> Self {
        Metadata {
            spacing: [1.0; 3],
            tstep: 1.0,
            xyzt_units: 0,
            qform_code: 0,
            quatern: [0.0; 3],
            qoffset: [0.0; 3],
            qfac: 1.0,
            sform_code: 0,
            srow: [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]],
            description: Vec::new(),
            scl_slope: 1.0,
            scl_inter: 0.0,
            extra: HeaderExtras { pixdim_rest: [1.0; 3], ..HeaderExtras::default() },
        }
    }
}

/// NIfTI spatial unit names (code in bits 0-2 of `xyzt_units`), as nibabel names them.
const SPATIAL_UNITS: [(u8, &str); 4] = [(0, "unknown"), (1, "meter"), (2, "mm"), (3, "micron")];
/// NIfTI temporal unit names (code in bits 3-5).
const TIME_UNITS: [(u8, &str); 7] =
    [(0, "unknown"), (8, "sec"), (16, "msec"), (24, "usec"), (32, "hz"), (40, "ppm"), (48, "rads")];

fn unit_name(table: &[(u8, &'static str)], code: u8) -> &'static str {
    table.iter().find(|(c, _)| *c == code).map_or("unknown", |(_, n)| n)
}

/// The unit names `$c configure -xyz_units / -t_units` accept.
pub fn spatial_unit_names() -> impl Iterator<Item = &'static str> {
    SPATIAL_UNITS.iter().map(|(_, n)| *n)
}

pub fn time_unit_names() -> impl Iterator<Item = &'static str> {
    TIME_UNITS.iter().map(|(_, n)| *n)
}

impl Metadata {
    /// Set the spatial unit by name; false when the name is not one of
    /// [`spatial_unit_names`].
    pub fn set_spatial_unit(&mut self, name: &str) -> bool {
        match SPATIAL_UNITS.iter().find(|(_, n)| *n == name) {
            Some((code, _)) => {
                self.xyzt_units = (self.xyzt_units & !0x07) | code;
                true
            }
            None => false,
        }
    }

    /// Set the time unit by name; false when the name is not one of [`time_unit_names`].
    pub fn set_time_unit(&mut self, name: &str) -> bool {
        match TIME_UNITS.iter().find(|(_, n)| *n == name) {
            Some((code, _)) => {
                self.xyzt_units = (self.xyzt_units & !0x38) | code;
                true
            }
            None => false,
        }
    }

    pub fn spatial_unit(&self) -> &'static str {
        unit_name(&SPATIAL_UNITS, self.xyzt_units & 0x07)
    }

    pub fn time_unit(&self) -> &'static str {
        unit_name(&TIME_UNITS, self.xyzt_units & 0x38)
    }

    /// The scaling to apply to stored values, if any: `Some((slope, inter))`
    /// when the slope is finite and non-zero (NIfTI's rule); a non-finite
    /// intercept counts as 0.
    pub fn effective_scaling(&self) -> Option<(f64, f64)> {
        let slope = self.scl_slope as f64;
        if !slope.is_finite() || slope == 0.0 {
            return None;
        }
        let inter = self.scl_inter as f64;
        Some((slope, if inter.is_finite() { inter } else { 0.0 }))
    }

    /// The qform affine (voxel index -> space), 4x4, computed from the
    /// quaternion as the NIfTI-1 standard (nifti1_io's
    /// `nifti_quatern_to_mat44`) does it.
    pub fn qform_affine(&self) -> [[f64; 4]; 4] {
        let [mut b, mut c, mut d] = self.quatern.map(|v| v as f64);
        let mut a = 1.0 - (b * b + c * c + d * d);
        if a < 1.0e-7 {
            // special case: a is 0, (b, c, d) is normalised
            let norm = 1.0 / (b * b + c * c + d * d).sqrt();
            b *= norm;
            c *= norm;
            d *= norm;
            a = 0.0;
        } else {
            a = a.sqrt();
        }
        let [dx, dy, dz] = self.spacing.map(|v| if v > 0.0 { v as f64 } else { 1.0 });
        let dz = if self.qfac < 0.0 { -dz } else { dz };
        let r = [
            [a * a + b * b - c * c - d * d, 2.0 * (b * c - a * d), 2.0 * (b * d + a * c)],
            [2.0 * (b * c + a * d), a * a + c * c - b * b - d * d, 2.0 * (c * d - a * b)],
            [2.0 * (b * d - a * c), 2.0 * (c * d + a * b), a * a + d * d - c * c - b * b],
        ];
        let scale = [dx, dy, dz];
        let mut m = [[0.0; 4]; 4];
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] = r[i][j] * scale[j];
            }
            m[i][3] = self.qoffset[i] as f64;
        }
        m[3][3] = 1.0;
        m
    }

    /// The sform affine, 4x4, from the three stored rows.
    pub fn sform_affine(&self) -> [[f64; 4]; 4] {
        let mut m = [[0.0, 0.0, 0.0, 1.0]; 4];
        for (row, stored) in m.iter_mut().zip(self.srow.iter()) {
            *row = stored.map(|v| v as f64);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_identity_unscaled() {
        let m = Metadata::default();
        let id = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]];
        assert_eq!(m.qform_affine(), id);
        assert_eq!(m.sform_affine(), id);
        assert_eq!(m.effective_scaling(), Some((1.0, 0.0)));
        assert_eq!((m.spatial_unit(), m.time_unit()), ("unknown", "unknown"));
    }

    #[test]
    fn qform_with_flip_and_rotation() {
        // 180 degrees about z: quaternion (b, c, d) = (0, 0, 1); qfac -1 flips z.
        let m = Metadata {
            quatern: [0.0, 0.0, 1.0],
            qfac: -1.0,
            spacing: [2.0, 3.0, 4.0],
            qoffset: [5.0, 6.0, 7.0],
            ..Metadata::default()
        };
        let q = m.qform_affine();
        assert_eq!(q[0], [-2.0, 0.0, 0.0, 5.0]);
        assert_eq!(q[1], [0.0, -3.0, 0.0, 6.0]);
        assert_eq!(q[2], [0.0, 0.0, -4.0, 7.0]);
    }

    #[test]
    fn scaling_rules() {
        let mut m = Metadata { scl_slope: 0.0, ..Metadata::default() };
        assert_eq!(m.effective_scaling(), None);
        m.scl_slope = f32::NAN;
        assert_eq!(m.effective_scaling(), None);
        m.scl_slope = 2.0;
        m.scl_inter = f32::NAN;
        assert_eq!(m.effective_scaling(), Some((2.0, 0.0)));
        m.xyzt_units = 2 | 8;
        assert_eq!((m.spatial_unit(), m.time_unit()), ("mm", "sec"));
        assert!(m.set_time_unit("msec") && m.set_spatial_unit("micron"));
        assert_eq!((m.xyzt_units, m.spatial_unit(), m.time_unit()), (3 | 16, "micron", "msec"));
        assert!(!m.set_time_unit("fortnight"));
    }
}
