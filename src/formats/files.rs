//! File access for the image formats: which files a name stands for, reading
//! through gzip when the bytes say so, and writing that never leaves a
//! half-written file behind (temporary file in the same directory, then
//! rename; see [`super::replace`] for how old files are kept and restored).
//!
//! Names are paths in the system's encoding, as Tcl converted them from the
//! script's string (`tcl::native_path`): the byte-for-byte name that `file
//! exists` and `glob` see. The endings this module looks at are ASCII, so
//! they are the same bytes in any encoding Tcl uses for file names.

use super::gzip::reader::GzReader;
use super::gzip::writer::GzWriter;
use super::replace::{self, Staged};
use crate::core::MxError;
use crate::sys::SysError;
use std::borrow::Cow;
use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// What a file name's ending says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Nii,
    Hdr,
    Img,
    Other,
}

/// A name as messages show it (bytes that are not UTF-8 as U+FFFD).
pub fn shown(path: &Path) -> Cow<'_, str> {
    path.to_string_lossy()
}

/// A file name split into its stem, its image-format ending and whether it
/// ends in `.gz`: `brain.nii.gz` -> ("brain", Nii, true). Endings are matched
/// without regard to case.
pub fn split_name(path: &Path) -> (&[u8], Ending, bool) {
    let bytes = path.as_os_str().as_bytes();
    let lower = bytes.to_ascii_lowercase();
    let (base, gz) = match lower.strip_suffix(b".gz") {
        Some(b) => (b.len(), true),
        None => (lower.len(), false),
    };
    for (ext, ending) in [(&b".nii"[..], Ending::Nii), (b".hdr", Ending::Hdr), (b".img", Ending::Img)] {
        if lower[..base].ends_with(ext) {
            return (&bytes[..base - ext.len()], ending, gz);
        }
    }
    (bytes, Ending::Other, false)
}

/// `stem` followed by the ASCII `ending`, as a path.
pub fn with_ending(stem: &[u8], ending: &str) -> PathBuf {
    let mut name = stem.to_vec();
    name.extend_from_slice(ending.as_bytes());
    PathBuf::from(OsStr::from_bytes(&name))
}

/// The other file of a header/image pair: for `x.hdr` the candidates
/// `x.img` and `x.img.gz` (and `.IMG` for upper-case names), the one with
/// the same compression ending first.
pub fn pair_candidates(path: &Path, want: Ending) -> Vec<PathBuf> {
    let (stem, _, gz) = split_name(path);
    let ext = if want == Ending::Hdr { "hdr" } else { "img" };
    let upper = path.as_os_str().as_bytes().last().is_some_and(|c| c.is_ascii_uppercase());
    let ext = if upper { ext.to_ascii_uppercase() } else { ext.to_string() };
    let gz_ext = if upper { "GZ" } else { "gz" };
    let plain = with_ending(stem, &format!(".{ext}"));
    let zipped = with_ending(stem, &format!(".{ext}.{gz_ext}"));
    if gz {
        vec![zipped, plain]
    } else {
        vec![plain, zipped]
    }
}

/// The first of `candidates` that exists, or the first one (so that opening
/// it reports the missing file).
pub fn first_existing(candidates: Vec<PathBuf>) -> PathBuf {
    candidates.iter().find(|p| p.exists()).cloned().unwrap_or_else(|| candidates[0].clone())
}

/// An `io::Error` as the error a script should see: `POSIX ENAME text` for
/// system errors, `MX FORMAT ...` for bad data.
pub fn io_error(action: &str, path: &str, err: io::Error) -> MxError {
    if let Some(c) = err.get_ref().and_then(|e| e.downcast_ref::<replace::Collision>()) {
        return MxError {
            message: format!("cannot {action} \"{path}\": {c}: file exists"),
            code: vec!["POSIX".into(), "EEXIST".into(), "file exists".into()],
        };
    }
    if let Some(code) = err.raw_os_error() {
        let sys = SysError { call: "", errno: nix::errno::Errno::from_raw(code) };
        return MxError {
            message: format!("cannot {action} \"{path}\": {}", sys.errno_text()),
            code: vec!["POSIX".into(), sys.errno_name(), sys.errno_text()],
        };
    }
    match err.kind() {
        io::ErrorKind::UnexpectedEof => {
            MxError::mx(format!("cannot {action} \"{path}\": the file is truncated"), &["FORMAT", "TRUNCATED"])
        }
        io::ErrorKind::OutOfMemory => {
            MxError::mx(format!("cannot {action} \"{path}\": {err}"), &["ALLOC", &err.to_string()])
        }
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
            MxError::mx(format!("cannot {action} \"{path}\": corrupt gzip data ({err})"), &["FORMAT", "GZIP"])
        }
        _ => MxError::mx(format!("cannot {action} \"{path}\": {err}"), &["IO", &err.to_string()]),
    }
}

/// A stream of decoded bytes that may hand a stretch of them over whole.
pub trait DecodedRead: Read {
    /// See [`GzReader::take_whole`]; plain files never do.
    fn take_decoded(&mut self, _skip: usize, _len: usize) -> Option<Vec<u8>> {
        None
    }
}

impl DecodedRead for BufReader<File> {}

impl DecodedRead for flate2::bufread::MultiGzDecoder<BufReader<File>> {}

impl DecodedRead for GzReader {
    fn take_decoded(&mut self, skip: usize, len: usize) -> Option<Vec<u8>> {
        self.take_whole(skip, len)
    }
}

/// A file opened for reading its decoded bytes.
pub struct Decoded {
    pub reader: Box<dyn DecodedRead>,
    pub gzip: bool,
    /// The size of a plain (not compressed) file, known before reading.
    pub plain_len: Option<u64>,
}

impl Decoded {
    /// For a gzip stream, read what is left so that the decoder checks the
    /// stream's CRC and length trailer: a truncated or damaged `.gz` is an
    /// error even when the voxels themselves came through. (Plain files may
    /// carry trailing bytes, which are ignored as other readers do.)
    pub fn finish(mut self, path: &str) -> Result<(), MxError> {
        if self.gzip {
            io::copy(&mut self.reader, &mut io::sink()).map_err(|e| io_error("read", path, e))?;
        }
        Ok(())
    }
}

/// Open `path` for reading its decoded bytes: gzip-compressed files (told by
/// their first two bytes, 1f 8b, not by their name) are decompressed as read.
/// Only regular files are read: the file is opened without blocking (a FIFO
/// with no writer would otherwise hang the interpreter in `open`) and then
/// refused if it is a FIFO, a device, a socket or a directory.
pub fn open_decoded(path: &Path) -> Result<Decoded, MxError> {
    open_decoded_as(path, Buffering::Whole)
}

/// How a gzip file is read: [`Buffering::Whole`] reads the compressed file
/// into memory first, which lets our own files inflate on every core and
/// another program's inflate in one libdeflate call; [`Buffering::Streamed`]
/// inflates as it reads (one core, flate2), so that loading into a segment
/// needs no buffer beyond the segment itself: peak memory stays the volume's
/// size, not the volume plus its compressed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buffering {
    Whole,
    Streamed,
}

/// [`open_decoded`], choosing how a gzip file is buffered.
pub fn open_decoded_as(path: &Path, buffering: Buffering) -> Result<Decoded, MxError> {
    let shown = shown(path);
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| io_error("open", &shown, e))?;
    let meta = file.metadata().map_err(|e| io_error("read", &shown, e))?;
    if meta.is_dir() {
        return Err(MxError {
            message: format!("cannot read \"{shown}\": it is a directory"),
            code: vec!["POSIX".into(), "EISDIR".into(), "is a directory".into()],
        });
    }
    if !meta.is_file() {
        let ft = meta.file_type();
        let kind = if ft.is_fifo() {
            "a FIFO (named pipe)"
        } else if ft.is_char_device() || ft.is_block_device() {
            "a device"
        } else if ft.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        };
        return Err(MxError::mx(
            format!("cannot read \"{shown}\": it is {kind}, expected a regular file"),
            &["FORMAT", "NOTFILE"],
        ));
    }
    // O_NONBLOCK means nothing for reading a regular file; it stays set.
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let head = reader.fill_buf().map_err(|e| io_error("read", &shown, e))?;
    if head.starts_with(&[0x1f, 0x8b]) && buffering == Buffering::Streamed {
        Ok(Decoded { reader: Box::new(flate2::bufread::MultiGzDecoder::new(reader)), gzip: true, plain_len: None })
    } else if head.starts_with(&[0x1f, 0x8b]) {
        let gz = GzReader::new(reader, meta.len()).map_err(|e| io_error("read", &shown, e))?;
        Ok(Decoded { reader: Box::new(gz), gzip: true, plain_len: None })
    } else {
        Ok(Decoded { reader: Box::new(reader), gzip: false, plain_len: Some(meta.len()) })
    }
}

/// Read into `buf` until it is full or the stream ends; returns how much was read.
pub fn read_up_to(reader: &mut dyn Read, buf: &mut [u8], path: &str) -> Result<usize, MxError> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error("read", path, e)),
        }
    }
    Ok(filled)
}

/// Skip `count` bytes of the stream; fewer available is a truncated file.
pub fn skip(reader: &mut dyn Read, count: u64, path: &str) -> Result<(), MxError> {
    let skipped = io::copy(&mut reader.take(count), &mut io::sink()).map_err(|e| io_error("read", path, e))?;
    if skipped < count {
        return Err(MxError::mx(
            format!(
                "cannot read \"{path}\": the file is truncated (it ends {} bytes before its voxel data starts)",
                count - skipped
            ),
            &["FORMAT", "TRUNCATED"],
        ));
    }
    Ok(())
}

/// A file being written beside its final name: unnamed (`O_TMPFILE`) until
/// it is committed, or under a temporary name where the file system has no
/// unnamed files. An uncommitted one is gone when dropped: an unnamed file
/// with its descriptor, a named one removed ([`PendingFile::commit`],
/// [`commit_all`]).
pub struct PendingFile {
    file: File,
    temp: replace::TempName,
    target: PathBuf,
    committed: bool,
}

impl PendingFile {
    /// [`PendingFile::write_with`], gzip-compressed at the default level when `gzip`.
    pub fn write(
        target: &Path,
        gzip: bool,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<PendingFile, MxError> {
        PendingFile::write_with(target, gzip.then_some(super::gzip::DEFAULT_LEVEL), fill)
    }

    /// Write the whole file with `fill` (gzip-compressed at level `gzip` when
    /// given), then flush and sync it; the final name is untouched until
    /// [`commit`](Self::commit). A file that replaces a regular file of this
    /// user's gets its permission bits (never set-id or sticky bits) and
    /// group; any other file what a plain `open` gives (0666 less the umask),
    /// see [`replace::keep_of`].
    pub fn write_with(
        target: &Path,
        gzip: Option<u32>,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<PendingFile, MxError> {
        let shown = shown(target);
        if target.file_name().is_none_or(|n| n.is_empty()) {
            return Err(MxError::mx(
                format!("cannot write \"{shown}\": expected a file name"),
                &["FORMAT", "FILENAME"],
            ));
        }
        let keep = replace::keep_of(target);
        let (file, temp) = replace::create_temp(target, keep).map_err(|e| io_error("write", &shown, e))?;
        // From here on the guard removes a named temporary file on any failure.
        let pending = PendingFile { file, temp, target: target.to_path_buf(), committed: false };
        let result = (|| -> io::Result<()> {
            let mut out = BufWriter::with_capacity(1 << 16, &pending.file);
            if let Some(level) = gzip {
                let mut gz = GzWriter::new(&mut out, level);
                fill(&mut gz)?;
                gz.finish()?;
            } else {
                fill(&mut out)?;
            }
            out.flush()?;
            drop(out);
            replace::apply_keep(&pending.file, keep)?;
            pending.file.sync_all()
        })();
        result.map_err(|e| io_error("write", &shown, e))?;
        Ok(pending)
    }

    /// Move the finished file to its final name.
    pub fn commit(self) -> Result<(), MxError> {
        commit_all(vec![self])
    }
}

/// Move every finished file to its final name, or none of them: on failure
/// the old files are back in place (see [`replace::commit_all`]). Unnamed
/// files get their temporary names only now, all before the first rename,
/// so that a failure to name one changes no target.
pub fn commit_all(mut files: Vec<PendingFile>) -> Result<(), MxError> {
    for f in &mut files {
        if f.temp.is_none() {
            let name =
                replace::name_unnamed(&f.file, &f.target).map_err(|e| io_error("write", &shown(&f.target), e))?;
            f.temp = Some(name);
        }
    }
    let staged: Vec<Staged> =
        files.iter().filter_map(|f| f.temp.clone().map(|temp| Staged { temp, target: f.target.clone() })).collect();
    replace::commit_all(&staged).map_err(|f| {
        let mut e = io_error("write", &shown(&f.target), f.error);
        e.message.push_str(&f.note);
        e
    })?;
    for f in &mut files {
        f.committed = true;
    }
    Ok(())
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if let (false, Some(temp)) = (self.committed, &self.temp) {
            // Best effort: the temporary file may already be gone, and a
            // destructor has no way to report a failure.
            let _ = fs::remove_file(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_by_ending() {
        let split = |p: &str| {
            let (stem, e, gz) = split_name(Path::new(p));
            (String::from_utf8(stem.to_vec()).unwrap(), e, gz)
        };
        assert_eq!(split("a/brain.nii.gz"), ("a/brain".into(), Ending::Nii, true));
        assert_eq!(split("brain.NII"), ("brain".into(), Ending::Nii, false));
        assert_eq!(split("x.hdr"), ("x".into(), Ending::Hdr, false));
        assert_eq!(split("x.img.gz"), ("x".into(), Ending::Img, true));
        assert_eq!(split("x.gz"), ("x.gz".into(), Ending::Other, false));
        assert_eq!(split("x.png"), ("x.png".into(), Ending::Other, false));
        // bytes that are not UTF-8 stay as they are
        let odd = Path::new(OsStr::from_bytes(b"\xed\xa0\x80.hdr"));
        assert_eq!(split_name(odd), (&b"\xed\xa0\x80"[..], Ending::Hdr, false));
    }

    #[test]
    fn pair_candidates_prefer_same_compression() {
        let pair = |p: &str, e| pair_candidates(Path::new(p), e);
        assert_eq!(pair("d/x.hdr", Ending::Img), [Path::new("d/x.img"), Path::new("d/x.img.gz")]);
        assert_eq!(pair("x.hdr.gz", Ending::Img), [Path::new("x.img.gz"), Path::new("x.img")]);
        assert_eq!(pair("X.IMG", Ending::Hdr), [Path::new("X.HDR"), Path::new("X.HDR.GZ")]);
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mxformats-{tag}-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn gzip_is_detected_by_content() {
        let dir = temp_dir("gz");
        let path = dir.join("plain-name.bin");
        PendingFile::write(&path, true, |w| w.write_all(b"hello")).unwrap().commit().unwrap();
        let mut text = String::new();
        open_decoded(&path).unwrap().reader.read_to_string(&mut text).unwrap();
        assert_eq!(text, "hello");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn failed_writes_leave_nothing() {
        let dir = temp_dir("fail");
        let path = dir.join("out.nii");
        let e = PendingFile::write(&path, false, |_| Err(io::Error::from_raw_os_error(libc::ENOSPC))).err().unwrap();
        assert_eq!(e.code[..2], ["POSIX", "ENOSPC"]);
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        // an uncommitted file disappears too
        drop(PendingFile::write(&path, false, |w| w.write_all(b"x")).unwrap());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_files_are_posix_errors() {
        let e = open_decoded(Path::new("/nonexistent/dir/x.nii")).err().unwrap();
        assert_eq!(e.code, ["POSIX", "ENOENT", "no such file or directory"]);
        assert!(e.message.contains("/nonexistent/dir/x.nii"));
    }
}
