//! Slices into a volume: sort the frames of a series by their position along
//! the slice normal (ascending), derive the slice spacing from the
//! positions, and refuse what does not make one regular volume (mixed
//! orientations or pixel spacings, duplicate positions, gaps), naming the
//! files. Plain numbers in, plain numbers out: unit-tested below.

use crate::core::error::MxResult;
use crate::core::MxError;

/// One frame as the sorting sees it.
#[derive(Debug, Clone)]
pub struct Frame<'a> {
    /// The file it came from, as shown in messages.
    pub file: &'a str,
    pub position: Option<[f64; 3]>,
    pub orientation: Option<[f64; 6]>,
    /// Between rows, between columns.
    pub spacing: Option<[f64; 2]>,
    /// Order among frames at the same position (instance number, frame index).
    pub order: (i64, u32),
    /// True when the frame is one of several in one (enhanced) file.
    pub multi_frame: bool,
}

/// A regular volume: `order[t * depth + z]` is the index (into the frames
/// given) of slice z of volume t.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    pub order: Vec<usize>,
    pub depth: usize,
    pub volumes: usize,
    /// Absent when the frames carry no position or orientation.
    pub placement: Option<Placement>,
    /// Between rows, between columns (mm; 1 when the file has none).
    pub pixel_spacing: [f64; 2],
    /// Distance between consecutive slices along the normal.
    pub slice_spacing: f64,
}

/// Where the volume lies, DICOM patient coordinates (LPS, mm).
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Centre of voxel (0, 0, 0).
    pub origin: [f64; 3],
    /// Unit vectors: along a row (increasing column), along a column (increasing row).
    pub row_dir: [f64; 3],
    pub col_dir: [f64; 3],
    /// From slice z to slice z + 1 (mm).
    pub slice_step: [f64; 3],
}

const ORIENTATION_TOLERANCE: f64 = 1e-3;

fn geometry_error(message: String, what: &str) -> MxError {
    MxError::mx(message, &["DICOM", what])
}

pub fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

pub fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

/// Sort `frames` into a volume. `fallback_spacing` (Spacing Between Slices
/// or Slice Thickness) is the slice spacing of a single slice.
pub fn stack(frames: &[Frame<'_>], fallback_spacing: Option<f64>) -> MxResult<Stack> {
    let first = frames.first().ok_or_else(|| geometry_error("the series has no images".into(), "EMPTY"))?;
    let pixel_spacing = first.spacing.filter(|s| s.iter().all(|&v| v > 0.0)).unwrap_or([1.0, 1.0]);
    for f in frames {
        let s = f.spacing.filter(|s| s.iter().all(|&v| v > 0.0)).unwrap_or([1.0, 1.0]);
        if (s[0] - pixel_spacing[0]).abs() > 1e-4 * pixel_spacing[0].max(1.0)
            || (s[1] - pixel_spacing[1]).abs() > 1e-4 * pixel_spacing[1].max(1.0)
        {
            return Err(geometry_error(
                format!(
                    "the series mixes pixel spacings: \"{}\" has {:?} mm, \"{}\" has {:?} mm",
                    first.file, pixel_spacing, f.file, s
                ),
                "SPACING",
            ));
        }
    }
    let placed = frames.iter().filter(|f| f.position.is_some() && f.orientation.is_some()).count();
    let fallback = fallback_spacing.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(1.0);
    if placed == 0 {
        // No geometry at all (secondary capture): file order, no placement.
        let mut order: Vec<usize> = (0..frames.len()).collect();
        order.sort_by_key(|&i| frames[i].order);
        return Ok(Stack {
            depth: order.len(),
            order,
            volumes: 1,
            placement: None,
            pixel_spacing,
            slice_spacing: fallback,
        });
    }
    if placed != frames.len() {
        let missing = frames.iter().find(|f| f.position.is_none() || f.orientation.is_none()).map_or("", |f| f.file);
        return Err(geometry_error(
            format!("\"{missing}\" has no Image Position/Orientation (Patient), other images of its series do"),
            "GEOMETRY",
        ));
    }
    let orientation = first.orientation.unwrap_or_default();
    for f in frames {
        let o = f.orientation.unwrap_or_default();
        if o.iter().zip(orientation.iter()).any(|(a, b)| (a - b).abs() > ORIENTATION_TOLERANCE) {
            return Err(geometry_error(
                format!(
                    "the series mixes orientations: \"{}\" has {:?}, \"{}\" has {:?}",
                    first.file, orientation, f.file, o
                ),
                "ORIENTATION",
            ));
        }
    }
    let row_dir = unit([orientation[0], orientation[1], orientation[2]]);
    let col_dir = unit([orientation[3], orientation[4], orientation[5]]);
    let (Some(row_dir), Some(col_dir)) = (row_dir, col_dir) else {
        return Err(geometry_error(
            format!(
                "\"{}\" has an Image Orientation (Patient) that is not two directions: {orientation:?}",
                first.file
            ),
            "ORIENTATION",
        ));
    };
    let normal = cross(row_dir, col_dir);
    if norm(normal) < 0.5 {
        return Err(geometry_error(
            format!("\"{}\" has parallel row and column directions: {orientation:?}", first.file),
            "ORIENTATION",
        ));
    }
    let along = |i: usize| dot(frames[i].position.unwrap_or_default(), normal);
    let mut sorted: Vec<usize> = (0..frames.len()).collect();
    sorted.sort_by(|&a, &b| along(a).total_cmp(&along(b)).then(frames[a].order.cmp(&frames[b].order)));

    // Frames at one position: a time series when every position has the
    // same number of frames of one multi-frame file; else duplicates.
    let duplicate_tolerance = 1e-3 * pixel_spacing[0].max(pixel_spacing[1]).max(1.0);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &i in &sorted {
        match groups.last_mut() {
            Some(g) if (along(i) - along(g[0])).abs() <= duplicate_tolerance => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    for g in &mut groups {
        g.sort_by_key(|&i| frames[i].order);
    }
    let volumes = groups[0].len();
    if let Some(g) = groups.iter().find(|g| g.len() > 1 && !g.iter().all(|&i| frames[i].multi_frame)) {
        return Err(geometry_error(
            format!(
                "duplicate slice position {:.4} mm along the normal: \"{}\" and \"{}\"",
                along(g[0]),
                frames[g[0]].file,
                frames[g[1]].file
            ),
            "DUPLICATE",
        ));
    }
    if let Some(g) = groups.iter().find(|g| g.len() != volumes) {
        return Err(geometry_error(
            format!(
                "\"{}\" holds {} frames at {:.4} mm along the normal but {} at {:.4} mm: not a regular time series",
                frames[g[0]].file,
                g.len(),
                along(g[0]),
                volumes,
                along(groups[0][0])
            ),
            "DUPLICATE",
        ));
    }
    let depth = groups.len();
    let (slice_spacing, slice_step) = if depth == 1 {
        (fallback, normal.map(|c| c * fallback))
    } else {
        let p0 = frames[groups[0][0]].position.unwrap_or_default();
        let pn = frames[groups[depth - 1][0]].position.unwrap_or_default();
        let total = along(groups[depth - 1][0]) - along(groups[0][0]);
        let step = total / (depth - 1) as f64;
        // A missing slice makes one step about twice the others: compare
        // each with the smallest.
        let steps: Vec<f64> = groups.windows(2).map(|p| along(p[1][0]) - along(p[0][0])).collect();
        let smallest = steps.iter().copied().fold(f64::INFINITY, f64::min);
        for (pair, &d) in groups.windows(2).zip(&steps) {
            if d - smallest > 0.05 * smallest {
                return Err(geometry_error(
                    format!(
                        "the slices are not evenly spaced: {d:.4} mm between \"{}\" and \"{}\", {smallest:.4} mm between others (a missing slice?)",
                        frames[pair[0][0]].file,
                        frames[pair[1][0]].file,
                    ),
                    "GAP",
                ));
            }
        }
        (step, [0, 1, 2].map(|k| (pn[k] - p0[k]) / (depth - 1) as f64))
    };
    let mut order = Vec::with_capacity(frames.len());
    for t in 0..volumes {
        order.extend(groups.iter().map(|g| g[t]));
    }
    Ok(Stack {
        order,
        depth,
        volumes,
        placement: Some(Placement {
            origin: frames[groups[0][0]].position.unwrap_or_default(),
            row_dir,
            col_dir,
            slice_step,
        }),
        pixel_spacing,
        slice_spacing,
    })
}

fn unit(v: [f64; 3]) -> Option<[f64; 3]> {
    let n = norm(v);
    (n > 1e-6).then(|| v.map(|c| c / n))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AXIAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

    fn frame(file: &'static str, z: f64, order: i64) -> Frame<'static> {
        Frame {
            file,
            position: Some([-10.0, -20.0, z]),
            orientation: Some(AXIAL),
            spacing: Some([0.5, 0.75]),
            order: (order, 0),
            multi_frame: false,
        }
    }

    #[test]
    fn sorted_by_position_not_by_instance_or_file_order() {
        let frames = [frame("c", 5.0, 1), frame("a", -1.0, 3), frame("b", 2.0, 2)];
        let s = stack(&frames, None).unwrap();
        assert_eq!(s.order, [1, 2, 0]);
        assert_eq!((s.depth, s.volumes), (3, 1));
        assert!((s.slice_spacing - 3.0).abs() < 1e-12);
        let p = s.placement.unwrap();
        assert_eq!(p.origin, [-10.0, -20.0, -1.0]);
        assert_eq!(p.slice_step, [0.0, 0.0, 3.0]);
        assert_eq!(s.pixel_spacing, [0.5, 0.75]);
    }

    #[test]
    fn normal_decides_the_direction() {
        // Rows along -x: normal = (-1,0,0) x (0,1,0) = (0,0,-1): descending z is ascending along it.
        let mut frames = [frame("a", 1.0, 1), frame("b", 2.0, 2)];
        for f in &mut frames {
            f.orientation = Some([-1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
        }
        let s = stack(&frames, None).unwrap();
        assert_eq!(s.order, [1, 0]);
        assert_eq!(s.placement.unwrap().slice_step, [0.0, 0.0, -1.0]);
    }

    #[test]
    fn gaps_duplicates_and_mixtures_name_the_files() {
        let e = stack(&[frame("a", 0.0, 1), frame("b", 1.0, 2), frame("c", 3.0, 3)], None).unwrap_err();
        assert_eq!(e.code, ["MX", "DICOM", "GAP"]);
        assert!(e.message.contains("\"b\" and \"c\""), "{}", e.message);
        let e = stack(&[frame("a", 0.0, 1), frame("b", 0.0, 2)], None).unwrap_err();
        assert_eq!(e.code, ["MX", "DICOM", "DUPLICATE"]);
        assert!(e.message.contains("\"a\" and \"b\""), "{}", e.message);
        let mut tilted = frame("t", 1.0, 2);
        tilted.orientation = Some([1.0, 0.0, 0.0, 0.0, 0.8, 0.6]);
        let e = stack(&[frame("a", 0.0, 1), tilted], None).unwrap_err();
        assert_eq!(e.code, ["MX", "DICOM", "ORIENTATION"]);
        assert!(e.message.contains("\"t\""));
        let mut fine = frame("f", 1.0, 2);
        fine.spacing = Some([0.25, 0.75]);
        assert_eq!(stack(&[frame("a", 0.0, 1), fine], None).unwrap_err().code, ["MX", "DICOM", "SPACING"]);
        let mut lost = frame("l", 1.0, 2);
        lost.position = None;
        assert_eq!(stack(&[frame("a", 0.0, 1), lost], None).unwrap_err().code, ["MX", "DICOM", "GEOMETRY"]);
        assert_eq!(stack(&[], None).unwrap_err().code, ["MX", "DICOM", "EMPTY"]);
    }

    #[test]
    fn multi_frame_repeats_are_volumes() {
        let mk = |z: f64, t: u32| Frame { order: (0, t), multi_frame: true, ..frame("m", z, 0) };
        let frames = [mk(1.0, 0), mk(0.0, 1), mk(1.0, 2), mk(0.0, 3)];
        let s = stack(&frames, None).unwrap();
        assert_eq!((s.depth, s.volumes), (2, 2));
        assert_eq!(s.order, [1, 0, 3, 2]);
        let uneven = [mk(1.0, 0), mk(0.0, 1), mk(1.0, 2)];
        assert_eq!(stack(&uneven, None).unwrap_err().code, ["MX", "DICOM", "DUPLICATE"]);
    }

    #[test]
    fn single_slice_and_no_geometry() {
        let s = stack(&[frame("a", 4.0, 1)], Some(2.5)).unwrap();
        assert_eq!((s.depth, s.slice_spacing), (1, 2.5));
        assert_eq!(s.placement.unwrap().slice_step, [0.0, 0.0, 2.5]);
        let bare = |order| Frame { position: None, orientation: None, spacing: None, ..frame("x", 0.0, order) };
        let s = stack(&[bare(2), bare(1)], None).unwrap();
        assert_eq!((s.order.clone(), s.placement, s.pixel_spacing), (vec![1, 0], None, [1.0, 1.0]));
    }
}
