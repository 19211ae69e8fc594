//! `MxCanvas load`: a NIfTI-1 or NIfTI-2 (`.nii`, `.nii.gz`, `.hdr`+`.img` pair),
//! Analyze 7.5 (`.hdr`+`.img`) or FreeSurfer MGH ([`super::mgh::load`]) file into a new canvas. [`super::sniff`]
//! tells first what the file is; other kinds are named in the error.
//!
//! The header decides the flavour (magic `n+1`, `ni1` or none), not the file
//! name; the name only says which file of a pair was given. Voxels are read
//! straight into the canvas buffer, then put into native byte order.

use super::analyze;
use super::dicom;
use super::files::{
    first_existing, open_decoded_as, pair_candidates, read_up_to, shown, skip, split_name, Buffering, Decoded, Ending,
};
use super::nifti::extensions;
use super::nifti::header::{self, Flavour, Header, HEADER_SIZE};
use super::nifti::header2::{self, HEADER2_SIZE};
use super::sniff::{sniff, Kind};
use super::voxels::{apply_scaling, swap_bytes};
use super::FileFormat;
use crate::core::error::MxResult;
use crate::core::storage::StorageKind;
use crate::core::{Canvas, Geometry, MxError};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// When given, the file must be of this format.
    pub format: Option<FileFormat>,
    /// Apply the file's value scaling and give a float canvas.
    pub scaled: bool,
    /// Where the canvas's voxels live; `Shm` reads them straight into the
    /// canvas's segment (one copy: the read or the decompression).
    pub storage: StorageKind,
    /// DICOM: the Series Instance UID to load (`-series`).
    pub series: Option<String>,
}

fn flavour_name(h: &Header) -> &'static str {
    match (h.flavour, h.nifti2) {
        (Flavour::NiftiSingle, false) => "a NIfTI-1 single file",
        (Flavour::NiftiPair, false) => "a NIfTI-1 header/image pair",
        (Flavour::NiftiSingle, true) => "a NIfTI-2 single file",
        (Flavour::NiftiPair, true) => "a NIfTI-2 header/image pair",
        (Flavour::Analyze, _) => "an Analyze 7.5 header/image pair",
    }
}

/// Load `path` (a name in the system's encoding) as a canvas. The content
/// of the file (for `x.img`, of its header `x.hdr`) says which reader reads it.
pub fn load(path: &(impl AsRef<Path> + ?Sized), options: LoadOptions) -> MxResult<Canvas> {
    let path = path.as_ref();
    // A directory, or a file with `DICM` at byte 128 (whatever its name), is DICOM.
    if path.is_dir() || dicom::discover::has_magic(path) {
        if let Some(wanted) = options.format {
            return Err(MxError::mx(
                format!("\"{}\" is DICOM, not {}", shown(path), wanted.name()),
                &["FORMAT", "MISMATCH", "dicom"],
            ));
        }
        let o = dicom::DicomOptions { series: options.series, scaled: options.scaled, storage: options.storage };
        return dicom::load(path, &o);
    }
    if options.series.is_some() {
        return Err(MxError::mx(
            format!("-series applies to DICOM only: \"{}\" is not a DICOM file", shown(path)),
            &["DICOM", "NOT", "DICOM"],
        ));
    }
    let (_, ending, _) = split_name(path);
    // For `x.img` the header is the sibling `x.hdr` (or `x.hdr.gz`).
    let header_file: PathBuf =
        if ending == Ending::Img { first_existing(pair_candidates(path, Ending::Hdr)) } else { path.to_path_buf() };
    match sniff(&header_file).0 {
        Kind::Mgh => super::mgh::load::load(&header_file, mgh_options(&options)),
        // A file named .mgh/.mgz that is not quite MGH: its reader says which field is wrong.
        Kind::Unknown if super::mgh::save::mgh_name(path).is_some() => {
            super::mgh::load::load(path, mgh_options(&options))
        }
        // Unknown too: the NIfTI reader says which header field is wrong
        // (or that the file cannot be opened).
        Kind::Nifti1 | Kind::Nifti2 | Kind::Analyze | Kind::Unknown => load_nifti(path, ending, header_file, options),
        other => Err(unreadable(&header_file, other)),
    }
}

fn mgh_options(o: &LoadOptions) -> super::mgh::load::MghOptions {
    super::mgh::load::MghOptions { format: o.format, scaled: o.scaled, storage: o.storage }
}

/// The error for a file of a kind this package recognises but does not load.
fn unreadable(file: &Path, kind: Kind) -> MxError {
    let path = shown(file);
    let what = kind.described();
    let message = match kind {
        Kind::Dicom => format!("\"{path}\" is {what}: load it directly, or the directory that holds its series"),
        _ => format!(
            "\"{path}\" is {what}, not an image volume: expected NIfTI-1 or NIfTI-2 (.nii, .nii.gz, .hdr/.img), Analyze 7.5 (.hdr/.img) or FreeSurfer MGH (.mgh, .mgz)"
        ),
    };
    MxError::mx(message, &["FORMAT", kind.code()])
}

/// A NIfTI-1 or NIfTI-2 file or pair, or an Analyze 7.5 pair; `header_file` is where its header is.
fn load_nifti(path: &Path, ending: Ending, header_file: PathBuf, options: LoadOptions) -> MxResult<Canvas> {
    // A segment-backed canvas is filled as the file inflates (no second
    // buffer of the compressed file's size); a heap canvas reads it whole.
    let buffering = if options.storage == StorageKind::Shm { Buffering::Streamed } else { Buffering::Whole };
    let mut header_stream = open_decoded_as(&header_file, buffering)?;
    let header_path = shown(&header_file).into_owned();
    // 348 bytes (NIfTI-1, Analyze), then the rest of a 540-byte NIfTI-2 header.
    let mut raw = [0u8; HEADER2_SIZE];
    let mut got = read_up_to(&mut *header_stream.reader, &mut raw[..HEADER_SIZE], &header_path)?;
    let mut header = if header2::is_nifti2(&raw[..got]) {
        got += read_up_to(&mut *header_stream.reader, &mut raw[HEADER_SIZE..], &header_path)?;
        header2::decode(&raw[..got], &header_path)?
    } else {
        header::decode(&raw[..got], &header_path)?
    };
    let header_len = if header.nifti2 { HEADER2_SIZE } else { HEADER_SIZE } as u64;
    check_format(&header, options.format, &header_path)?;

    let mut canvas = match header.flavour {
        Flavour::NiftiSingle => {
            if ending == Ending::Img || ending == Ending::Hdr {
                let (v, magic) = if header.nifti2 { (2, "n+2") } else { (1, "n+1") };
                return Err(MxError::mx(
                    format!("\"{header_path}\" is a NIfTI-{v} single file (magic {magic}) but is named like half of a pair: rename it to .nii"),
                    &["FORMAT", "MISMATCH", "nifti"],
                ));
            }
            let room = header.vox_offset - header_len;
            // A plain file's length bounds the extensions too (no buffer for
            // bytes the file does not have).
            let have = header_stream.plain_len.map_or(room, |len| room.min(len.saturating_sub(header_len)));
            let (found, used) = extensions::read(&mut *header_stream.reader, have, header.big_endian, &header_path)?;
            header.metadata.extra.extensions = found;
            let canvas = read_voxels(&mut header_stream, room - used, &header, options.storage, &header_path)?;
            header_stream.finish(&header_path)?;
            canvas
        }
        Flavour::NiftiPair | Flavour::Analyze => {
            if ending == Ending::Nii {
                return Err(MxError::mx(
                    format!(
                        "\"{header_path}\" is the header of {} but is named .nii: expected a .hdr and .img pair",
                        flavour_name(&header)
                    ),
                    &["FORMAT", "MISMATCH", "pair"],
                ));
            }
            if header.flavour == Flavour::NiftiPair {
                let big = header.big_endian;
                header.metadata.extra.extensions =
                    extensions::read(&mut *header_stream.reader, u64::MAX, big, &header_path)?.0;
            } else if let Some(a) = analyze::load_affine(&header_file, &header.metadata, dims3(&header))? {
                analyze::set_sform(&mut header.metadata, &a);
            }
            header_stream.finish(&header_path)?;
            let image_file = if ending == Ending::Img {
                path.to_path_buf()
            } else {
                first_existing(pair_candidates(&header_file, Ending::Img))
            };
            let mut image_stream = open_decoded_as(&image_file, buffering)?;
            let image_path = shown(&image_file).into_owned();
            let canvas = read_voxels(&mut image_stream, header.vox_offset, &header, options.storage, &image_path)?;
            image_stream.finish(&image_path)?;
            canvas
        }
    };
    canvas.set_metadata(header.metadata);
    if options.scaled {
        canvas = apply_scaling(&canvas)?;
    }
    Ok(canvas)
}

fn dims3(header: &Header) -> [usize; 3] {
    [header.dims[0], header.dims[1], header.dims[2]]
}

fn check_format(header: &Header, wanted: Option<FileFormat>, path: &str) -> MxResult<()> {
    let actual = match (header.flavour, header.nifti2) {
        (Flavour::Analyze, _) => FileFormat::Analyze,
        (_, false) => FileFormat::Nifti,
        (_, true) => FileFormat::Nifti2,
    };
    let flavour = |w: FileFormat| if w == FileFormat::Mgh { "a FreeSurfer MGH file" } else { w.name() };
    match wanted {
        Some(w) if w != actual => Err(MxError::mx(
            format!("\"{path}\" is {}, not {}", flavour_name(header), flavour(w)),
            &["FORMAT", "MISMATCH", actual.name()],
        )),
        _ => Ok(()),
    }
}

/// Skip `offset` bytes of `stream`, then read the voxels the header describes.
fn read_voxels(
    stream: &mut Decoded,
    offset: u64,
    header: &Header,
    storage: StorageKind,
    path: &str,
) -> MxResult<Canvas> {
    let dims = header.dims.map(|d| d as i64);
    let geometry = Geometry::new(dims, header.vtype)?;
    let want = geometry.bytes(header.vtype);
    let truncated = |got: u64| {
        MxError::mx(
            format!(
                "\"{path}\" is truncated: a {}x{}x{}x{} {} image needs {want} bytes of voxels, the file has {got}",
                dims[0],
                dims[1],
                dims[2],
                dims[3],
                header.vtype.name()
            ),
            &["FORMAT", "TRUNCATED"],
        )
    };
    // A plain file's size is known: a header promising more voxels than the
    // file holds fails here, before a large buffer is allocated for nothing.
    if let Some(len) = stream.plain_len {
        let start = header.vox_offset;
        if len < start.saturating_add(want as u64) {
            return Err(truncated(len.saturating_sub(start)));
        }
    }
    // A gzip member inflated in one piece becomes a heap canvas's storage as it is.
    let taken = match storage {
        StorageKind::Heap => usize::try_from(offset).ok().and_then(|skip| stream.reader.take_decoded(skip, want)),
        StorageKind::Shm => None,
    };
    let mut canvas = match taken {
        Some(bytes) => Canvas::from_heap_bytes(geometry, header.vtype, bytes)?,
        None => {
            let mut canvas = Canvas::new_in(geometry, header.vtype, storage)?;
            skip(&mut *stream.reader, offset, path)?;
            let got = read_up_to(&mut *stream.reader, canvas.as_bytes_mut(), path)?;
            if got < want {
                return Err(truncated(got as u64));
            }
            canvas
        }
    };
    if header.big_endian != cfg!(target_endian = "big") {
        swap_bytes(canvas.as_bytes_mut(), header.vtype.size());
    }
    Ok(canvas)
}
