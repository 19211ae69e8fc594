//! DICOM in: a file (single-frame or enhanced multi-frame), a directory
//! holding a series, or a DICOMDIR, into one canvas.
//!
//! * [`scan`]: a bounds walk over a file's bytes before the parser sees them;
//! * [`header`]: one file parsed (dicom-object) and the facts taken from it;
//! * [`discover`]: which files a path stands for, grouped into series;
//! * [`geometry`]: frames sorted along the slice normal into a volume;
//! * [`affine`]: that volume's sform/qform in NIfTI's RAS convention;
//! * [`pixels`]: frames decoded into canvas planes ([`rle`]: RLE Lossless, [`lossless`]: JPEG lossless); [`parallel`]: on every core.

pub mod affine;
pub mod discover;
pub mod geometry;
pub mod header;
pub mod lossless;
pub mod parallel;
pub mod pixels;
pub mod rle;
pub mod scan;

use crate::core::error::MxResult;
use crate::core::storage::StorageKind;
use crate::core::{Canvas, Geometry, Metadata, MxError, VoxelType};
use discover::Series;
use header::{DicomFile, PixelFormat};
use std::path::Path;

/// What `MxCanvas series` reports of one series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesInfo {
    pub uid: String,
    pub description: String,
    pub modality: String,
    /// Frames in all its files.
    pub slices: u64,
    pub width: u32,
    pub height: u32,
}

/// The series under `path`.
pub fn list(path: &Path) -> MxResult<Vec<SeriesInfo>> {
    Ok(discover::series(path)?.iter().map(info).collect())
}

fn info(s: &Series) -> SeriesInfo {
    let first = &s.files[0];
    let format = s.files.iter().find_map(|f| f.format.as_ref());
    SeriesInfo {
        uid: s.uid.clone(),
        description: first.description.clone(),
        modality: first.modality.clone(),
        slices: s.files.iter().map(|f| u64::from(f.frames)).sum(),
        width: format.map_or(0, |f| f.columns),
        height: format.map_or(0, |f| f.rows),
    }
}

/// How to load.
#[derive(Debug, Clone, Default)]
pub struct DicomOptions {
    /// The Series Instance UID to load when the path holds several.
    pub series: Option<String>,
    /// Apply per-slice rescaling to a float32 canvas.
    pub scaled: bool,
    pub storage: StorageKind,
}

/// A file's frames (frame index) and the canvas planes they go to.
type FramePlanes<'a> = Vec<(u32, &'a mut [u8])>;
/// Slope and intercept of each canvas plane, in order.
type Rescaling = Vec<(f64, f64)>;

/// Load the series under `path` into a canvas.
pub fn load(path: &Path, options: &DicomOptions) -> MxResult<Canvas> {
    let shown = path.display().to_string();
    let mut all = discover::series(path)?;
    let index = match &options.series {
        Some(uid) => all.iter().position(|s| &s.uid == uid).ok_or_else(|| {
            MxError::mx(
                format!("\"{shown}\" holds no series {uid}: it holds {}", listing(&all)),
                &["DICOM", "SERIES", "UNKNOWN"],
            )
        })?,
        None if all.len() > 1 => {
            return Err(MxError::mx(
                format!("\"{shown}\" holds {} series, choose one with -series UID: {}", all.len(), listing(&all)),
                &["DICOM", "SERIES"],
            ))
        }
        None => 0,
    };
    let series = all.swap_remove(index);
    build(series, options)
}

fn listing(all: &[Series]) -> String {
    all.iter()
        .map(|s| {
            let i = info(s);
            format!(
                "{} ({} {}, {} slices)",
                i.uid,
                i.modality,
                if i.description.is_empty() { "-" } else { &i.description },
                i.slices
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn build(series: Series, options: &DicomOptions) -> MxResult<Canvas> {
    let files = series.files;
    // One pixel format for the whole series.
    let first = &files[0];
    let format = first.format.clone().ok_or_else(|| {
        MxError::mx(format!("\"{}\" holds no image (no Rows/Columns)", first.shown), &["DICOM", "NO", "PIXELS"])
    })?;
    let vtype = pixels::voxel_type(&format, &first.shown)?;
    for f in &files {
        match &f.format {
            Some(g) if g.rows == format.rows && g.columns == format.columns => {}
            other => {
                let size = other.as_ref().map_or("no image".to_string(), |g| format!("{}x{}", g.columns, g.rows));
                return Err(MxError::mx(
                    format!(
                        "the series mixes image sizes: \"{}\" is {}x{}, \"{}\" is {size}",
                        first.shown, format.columns, format.rows, f.shown
                    ),
                    &["DICOM", "SIZE"],
                ));
            }
        }
        let g = f.format.as_ref().unwrap_or(&format);
        if pixels::voxel_type(g, &f.shown)? != vtype || g.bits_stored != format.bits_stored {
            return Err(MxError::mx(
                format!(
                    "the series mixes pixel formats: \"{}\" has {} ({} bits stored), \"{}\" has {} ({} bits stored)",
                    first.shown,
                    vtype.name(),
                    format.bits_stored,
                    f.shown,
                    pixels::voxel_type(g, &f.shown)?.name(),
                    g.bits_stored
                ),
                &["DICOM", "FORMAT"],
            ));
        }
    }
    // Every frame of every file, then sorted into a volume.
    let mut frames = Vec::new();
    let mut origin = Vec::new(); // (file index, plane index)
    for (fi, f) in files.iter().enumerate() {
        for (pi, p) in f.planes.iter().enumerate() {
            frames.push(geometry::Frame {
                file: &f.shown,
                position: p.position,
                orientation: p.orientation,
                spacing: p.spacing,
                order: (f.instance, p.frame),
                multi_frame: f.frames > 1,
            });
            origin.push((fi, pi));
        }
    }
    // Native pixel data must hold every frame: checked before the canvas
    // is allocated, so a small file cannot ask for a large canvas.
    let frame_bytes = u64::from(format.rows) * u64::from(format.columns) * vtype.size() as u64;
    for f in &files {
        if let Some(have) = f.native_pixel_bytes {
            let need = frame_bytes.saturating_mul(u64::from(f.frames));
            if have < need {
                return Err(MxError::mx(
                    format!(
                        "\"{}\" is truncated: its pixel data has {have} bytes, {} frames of {}x{} {} need {need}",
                        f.shown,
                        f.frames,
                        format.columns,
                        format.rows,
                        vtype.name()
                    ),
                    &["DICOM", "TRUNCATED"],
                ));
            }
        }
    }
    let fallback = first.spacing_between.or(first.slice_thickness);
    let stack = geometry::stack(&frames, fallback)?;
    let dims = [format.columns as i64, format.rows as i64, stack.depth as i64, stack.volumes as i64];
    let geometry = Geometry::new(dims, vtype)?;
    let (metadata, per_plane) = metadata(&files, &stack, &origin, options.scaled)?;
    drop(frames);

    // Each file's frames go to their planes of the canvas.
    let mut canvas = Canvas::new_in(geometry, vtype, options.storage)?;
    let plane = format.columns as usize * format.rows as usize * vtype.size();
    let mut slots: Vec<Vec<(u32, &mut [u8])>> = files.iter().map(|_| Vec::new()).collect();
    let mut chunks: Vec<Option<&mut [u8]>> = canvas.as_bytes_mut().chunks_exact_mut(plane.max(1)).map(Some).collect();
    for (slot, &frame_index) in stack.order.iter().enumerate() {
        let (fi, pi) = origin[frame_index];
        if let Some(chunk) = chunks.get_mut(slot).and_then(Option::take) {
            slots[fi].push((files[fi].planes[pi].frame, chunk));
        }
    }
    let jobs: Vec<(&DicomFile, FramePlanes)> = files.iter().zip(slots).collect();
    parallel::each(jobs, |(file, planes)| decode_file(file, &format, planes))?;
    drop(chunks);
    canvas.set_metadata(metadata);
    if let Some(scaling) = per_plane {
        canvas = scale_planes(&canvas, &scaling)?;
    } else if options.scaled {
        canvas = crate::formats::voxels::apply_scaling(&canvas)?;
    }
    Ok(canvas)
}

/// Read `file` again with its pixel data and decode its frames into `planes`.
fn decode_file(file: &DicomFile, format: &PixelFormat, planes: Vec<(u32, &mut [u8])>) -> MxResult<()> {
    if planes.is_empty() {
        return Ok(());
    }
    let full = header::read(&file.path, true)?;
    let same = full.format.as_ref() == Some(format)
        || full.format.as_ref().is_some_and(|f| {
            f.rows == format.rows && f.columns == format.columns && f.bits_allocated == format.bits_allocated
        });
    if !same || full.frames != file.frames {
        return Err(MxError::mx(format!("\"{}\" changed while it was read", file.shown), &["DICOM", "CHANGED"]));
    }
    for (frame, out) in planes {
        pixels::decode_frame(&full, format, frame, out)?;
    }
    Ok(())
}

/// The canvas's metadata: placement, spacing, and the rescaling when every
/// frame shares it. Returns the per-plane rescaling (canvas plane order)
/// when the frames differ and `-scaled 1` asks for real values.
fn metadata(
    files: &[DicomFile],
    stack: &geometry::Stack,
    origin: &[(usize, usize)],
    scaled: bool,
) -> MxResult<(Metadata, Option<Rescaling>)> {
    let mut m = Metadata::default();
    match &stack.placement {
        Some(p) => affine::set_placement(&mut m, p, stack.pixel_spacing, stack.slice_spacing),
        None => {
            m.spacing = [stack.pixel_spacing[1], stack.pixel_spacing[0], stack.slice_spacing].map(|v| v as f32);
        }
    }
    m.description = files[0].description.as_bytes().iter().copied().take(80).collect();
    let plane = |i: usize| {
        let (fi, pi) = origin[i];
        &files[fi].planes[pi]
    };
    let first = stack.order[0];
    let (slope, inter) = (plane(first).slope, plane(first).intercept);
    let differing = stack.order.iter().copied().find(|&i| plane(i).slope != slope || plane(i).intercept != inter);
    match differing {
        None => {
            m.scl_slope = slope as f32;
            m.scl_inter = inter as f32;
            Ok((m, None))
        }
        Some(i) if !scaled => Err(MxError::mx(
            format!(
                "the slices are rescaled differently (\"{}\": slope {slope} intercept {inter}; \"{}\": slope {} intercept {}), which one scl_slope/scl_inter cannot say: load with -scaled 1 for real values",
                files[origin[first].0].shown,
                files[origin[i].0].shown,
                plane(i).slope,
                plane(i).intercept
            ),
            &["DICOM", "SCALING"],
        )),
        Some(_) => Ok((m, Some(stack.order.iter().map(|&i| (plane(i).slope, plane(i).intercept)).collect()))),
    }
}

/// A float canvas holding each plane's stored values through its own rescaling.
fn scale_planes(canvas: &Canvas, scaling: &[(f64, f64)]) -> MxResult<Canvas> {
    let from = canvas.voxel_type();
    let to = crate::formats::voxels::scaled_type(from);
    let g = canvas.geometry();
    let mut out = Canvas::new_in(Geometry::new(g.dims().map(|d| d as i64), to)?, to, canvas.storage_kind())?;
    let voxels = g.dims()[0] * g.dims()[1];
    let planes_in = canvas.as_bytes().chunks_exact((voxels * from.size()).max(1));
    let planes_out = out.as_bytes_mut().chunks_exact_mut((voxels * to.size()).max(1));
    for ((src, dst), &(slope, inter)) in planes_in.zip(planes_out).zip(scaling) {
        for (s, d) in src.chunks_exact(from.size()).zip(dst.chunks_exact_mut(to.size())) {
            let real = from.decode(s).as_f64() * slope + inter;
            if to == VoxelType::Float32 {
                d.copy_from_slice(&(real as f32).to_ne_bytes());
            } else {
                d.copy_from_slice(&real.to_ne_bytes());
            }
        }
    }
    let mut m = canvas.metadata().clone();
    (m.scl_slope, m.scl_inter) = (1.0, 0.0);
    out.set_metadata(m);
    Ok(out)
}
