//! Which files a path stands for, and their series: a DICOM file is itself;
//! a DICOMDIR lists its files (records with a Referenced File ID); a
//! directory holds every DICOM file under it (files without `DICM` at byte
//! 128 are skipped, as are DICOMDIRs inside it, by name). Headers are read on every
//! core, the pixel data left for later.

use super::header::{self, DicomFile};
use super::parallel;
use crate::core::error::MxResult;
use crate::core::MxError;
use dicom_dictionary_std::tags;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Directory levels searched below the given directory.
const MAX_DIRECTORY_DEPTH: usize = 16;
/// Media Storage Directory Storage: the SOP class of a DICOMDIR.
const DICOMDIR_CLASS: &str = "1.2.840.10008.1.3.10";

/// The files of one series, in the order found.
pub struct Series {
    pub uid: String,
    pub files: Vec<DicomFile>,
}

/// The DICOM files `path` stands for, grouped by Series Instance UID (in
/// order of first appearance).
pub fn series(path: &Path) -> MxResult<Vec<Series>> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| crate::formats::files::io_error("read", &shown, e))?;
    let candidates = if meta.is_dir() {
        let mut found = Vec::new();
        walk(path, 0, &mut found)?;
        found.sort();
        if found.is_empty() {
            return Err(MxError::mx(format!("\"{shown}\" holds no DICOM files"), &["DICOM", "EMPTY"]));
        }
        found
    } else {
        let file = header::read(path, false)?;
        if is_dicomdir(&file) {
            referenced_files(&file)?
        } else {
            return Ok(vec![Series { uid: file.series_uid.clone(), files: vec![file] }]);
        }
    };
    let files = parallel::map(&candidates, |p| header::read(p, false))?;
    let mut groups: Vec<Series> = Vec::new();
    for file in files.into_iter().filter(|f| !is_dicomdir(f)) {
        match groups.iter_mut().find(|g| g.uid == file.series_uid) {
            Some(g) => g.files.push(file),
            None => groups.push(Series { uid: file.series_uid.clone(), files: vec![file] }),
        }
    }
    if groups.is_empty() {
        return Err(MxError::mx(format!("\"{shown}\" holds no DICOM images"), &["DICOM", "EMPTY"]));
    }
    Ok(groups)
}

fn is_dicomdir(f: &DicomFile) -> bool {
    f.object.meta().media_storage_sop_class_uid.trim_end_matches(['\0', ' ']) == DICOMDIR_CLASS
}

/// Regular files under `dir` that start like a DICOM file.
fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) -> MxResult<()> {
    let shown = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| crate::formats::files::io_error("read directory", &shown, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| crate::formats::files::io_error("read directory", &shown, e))?;
        let path = entry.path();
        // Symbolic links are followed to files, not to directories (no cycles).
        let kind = entry.file_type().map_err(|e| crate::formats::files::io_error("read", &shown, e))?;
        if kind.is_dir() {
            if depth < MAX_DIRECTORY_DEPTH {
                walk(&path, depth + 1, found)?;
            }
        } else if entry.file_name().as_encoded_bytes().starts_with(b"DICOMDIR") {
            // A DICOMDIR indexes files, it is not an image: loaded only when named.
        } else if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            // A file that cannot be read is an error, not a slice quietly
            // left out of its series.
            let shown = path.display().to_string();
            if magic(&path).map_err(|e| crate::formats::files::io_error("read", &shown, e))? {
                found.push(path);
            }
        }
    }
    Ok(())
}

/// True when `path` is a regular file with `DICM` at byte 128 (false when
/// it is anything else or cannot be read: the caller's own open says why).
pub fn has_magic(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file()) && magic(path).unwrap_or(false)
}

/// Whether the file has `DICM` at byte 128; a file too short is not DICOM,
/// one that cannot be opened or read is an error.
fn magic(path: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut head = [0u8; 132];
    // Non-blocking: a FIFO put in place of the file must not hang the open.
    let mut file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    if !file.metadata()?.is_file() {
        return Ok(false);
    }
    match file.read_exact(&mut head) {
        Ok(()) => Ok(&head[128..] == b"DICM"),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

/// The files a DICOMDIR's records point to, relative to its directory.
fn referenced_files(dir: &DicomFile) -> MxResult<Vec<PathBuf>> {
    let base = dir.path.parent().unwrap_or(Path::new("."));
    let records = dir
        .object
        .element_opt(tags::DIRECTORY_RECORD_SEQUENCE)
        .ok()
        .flatten()
        .and_then(|e| e.value().items())
        .unwrap_or(&[]);
    let mut files = Vec::new();
    for record in records {
        let Some(id) = record.element_opt(tags::REFERENCED_FILE_ID).ok().flatten() else { continue };
        let Ok(parts) = id.to_multi_str() else { continue };
        let mut path = base.to_path_buf();
        for part in parts.iter() {
            let part = part.trim_matches(|c: char| c == '\0' || c == ' ');
            // A record may not leave the DICOMDIR's directory.
            if part.is_empty() || part == "." || part == ".." || part.contains('/') {
                return Err(header::malformed(&dir.shown, format!("a record names the file {parts:?}")));
            }
            path.push(part);
        }
        files.push(path);
    }
    if files.is_empty() {
        return Err(MxError::mx(format!("the DICOMDIR \"{}\" lists no files", dir.shown), &["DICOM", "EMPTY"]));
    }
    Ok(files)
}
