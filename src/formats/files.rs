//! File access for the image formats: which files a name stands for, reading
//! through gzip when the bytes say so, and writing that never leaves a
//! half-written file behind (temporary file in the same directory, then rename).

use super::gzip::reader::GzReader;
use super::gzip::writer::GzWriter;
use crate::core::MxError;
use crate::sys::SysError;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What a file name's ending says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Nii,
    Hdr,
    Img,
    Other,
}

/// A file name split into its stem, its image-format ending and whether it
/// ends in `.gz`: `brain.nii.gz` -> ("brain", Nii, true). Endings are matched
/// without regard to case.
pub fn split_name(path: &str) -> (&str, Ending, bool) {
    let lower = path.to_ascii_lowercase();
    let (base, gz) = match lower.strip_suffix(".gz") {
        Some(b) => (b.len(), true),
        None => (lower.len(), false),
    };
    for (ext, ending) in [(".nii", Ending::Nii), (".hdr", Ending::Hdr), (".img", Ending::Img)] {
        if lower[..base].ends_with(ext) {
            return (&path[..base - ext.len()], ending, gz);
        }
    }
    (path, Ending::Other, false)
}

/// The other file of a header/image pair: for `x.hdr` the candidates
/// `x.img` and `x.img.gz` (and `.IMG` for upper-case names), the one with
/// the same compression ending first.
pub fn pair_candidates(path: &str, want: Ending) -> Vec<String> {
    let (stem, _, gz) = split_name(path);
    let ext = if want == Ending::Hdr { "hdr" } else { "img" };
    let upper = path.ends_with(|c: char| c.is_ascii_uppercase());
    let ext = if upper { ext.to_ascii_uppercase() } else { ext.to_string() };
    let gz_ext = if upper { "GZ" } else { "gz" };
    let plain = format!("{stem}.{ext}");
    let zipped = format!("{stem}.{ext}.{gz_ext}");
    if gz {
        vec![zipped, plain]
    } else {
        vec![plain, zipped]
    }
}

/// The first of `candidates` that exists, or the first one (so that opening
/// it reports the missing file).
pub fn first_existing(candidates: Vec<String>) -> String {
    candidates.iter().find(|p| Path::new(p).exists()).cloned().unwrap_or_else(|| candidates[0].clone())
}

/// An `io::Error` as the error a script should see: `POSIX ENAME text` for
/// system errors, `MX FORMAT ...` for bad data.
pub fn io_error(action: &str, path: &str, err: io::Error) -> MxError {
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
pub fn open_decoded(path: &str) -> Result<Decoded, MxError> {
    let file = File::open(path).map_err(|e| io_error("open", path, e))?;
    let meta = file.metadata().map_err(|e| io_error("read", path, e))?;
    if meta.is_dir() {
        return Err(MxError {
            message: format!("cannot read \"{path}\": it is a directory"),
            code: vec!["POSIX".into(), "EISDIR".into(), "is a directory".into()],
        });
    }
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let head = reader.fill_buf().map_err(|e| io_error("read", path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let gz = GzReader::new(reader, meta.len()).map_err(|e| io_error("read", path, e))?;
        Ok(Decoded { reader: Box::new(gz), gzip: true, plain_len: None })
    } else {
        let plain_len = meta.is_file().then_some(meta.len());
        Ok(Decoded { reader: Box::new(reader), gzip: false, plain_len })
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

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A file being written under a temporary name beside its final name. It is
/// removed when dropped unless [`PendingFile::commit`] renamed it into place.
pub struct PendingFile {
    temp: PathBuf,
    target: String,
    committed: bool,
}

impl PendingFile {
    /// [`PendingFile::write_with`], gzip-compressed at the default level when `gzip`.
    pub fn write(
        target: &str,
        gzip: bool,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<PendingFile, MxError> {
        PendingFile::write_with(target, gzip.then_some(super::gzip::DEFAULT_LEVEL), fill)
    }

    /// Write the whole file with `fill` (gzip-compressed at level `gzip` when given), then
    /// flush and sync it; the final name is untouched until [`commit`](Self::commit).
    pub fn write_with(
        target: &str,
        gzip: Option<u32>,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<PendingFile, MxError> {
        let path = Path::new(target);
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.is_empty() {
            return Err(MxError::mx(
                format!("cannot write \"{target}\": expected a file name"),
                &["FORMAT", "FILENAME"],
            ));
        }
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        let file =
            OpenOptions::new().write(true).create_new(true).open(&temp).map_err(|e| io_error("write", target, e))?;
        // From here on the guard removes the temporary file on any failure.
        let pending = PendingFile { temp, target: target.to_string(), committed: false };
        let result = (|| -> io::Result<()> {
            let mut out = BufWriter::with_capacity(1 << 16, file);
            if let Some(level) = gzip {
                let mut gz = GzWriter::new(&mut out, level);
                fill(&mut gz)?;
                gz.finish()?;
            } else {
                fill(&mut out)?;
            }
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()
        })();
        result.map_err(|e| io_error("write", target, e))?;
        Ok(pending)
    }

    /// Move the finished file to its final name.
    pub fn commit(mut self) -> Result<(), MxError> {
        fs::rename(&self.temp, &self.target).map_err(|e| io_error("write", &self.target, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the temporary file may already be gone, and a
            // destructor has no way to report a failure.
            let _ = fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_by_ending() {
        assert_eq!(split_name("a/brain.nii.gz"), ("a/brain", Ending::Nii, true));
        assert_eq!(split_name("brain.NII"), ("brain", Ending::Nii, false));
        assert_eq!(split_name("x.hdr"), ("x", Ending::Hdr, false));
        assert_eq!(split_name("x.img.gz"), ("x", Ending::Img, true));
        assert_eq!(split_name("x.gz"), ("x.gz", Ending::Other, false));
        assert_eq!(split_name("x.png"), ("x.png", Ending::Other, false));
    }

    #[test]
    fn pair_candidates_prefer_same_compression() {
        assert_eq!(pair_candidates("d/x.hdr", Ending::Img), ["d/x.img", "d/x.img.gz"]);
        assert_eq!(pair_candidates("x.hdr.gz", Ending::Img), ["x.img.gz", "x.img"]);
        assert_eq!(pair_candidates("X.IMG", Ending::Hdr), ["X.HDR", "X.HDR.GZ"]);
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mxformats-{tag}-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn gzip_is_detected_by_content() {
        let dir = temp_dir("gz");
        let path = dir.join("plain-name.bin").to_string_lossy().into_owned();
        PendingFile::write(&path, true, |w| w.write_all(b"hello")).unwrap().commit().unwrap();
        let mut text = String::new();
        open_decoded(&path).unwrap().reader.read_to_string(&mut text).unwrap();
        assert_eq!(text, "hello");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn failed_writes_leave_nothing() {
        let dir = temp_dir("fail");
        let path = dir.join("out.nii").to_string_lossy().into_owned();
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
        let e = open_decoded("/nonexistent/dir/x.nii").err().unwrap();
        assert_eq!(e.code, ["POSIX", "ENOENT", "no such file or directory"]);
        assert!(e.message.contains("/nonexistent/dir/x.nii"));
    }
}
