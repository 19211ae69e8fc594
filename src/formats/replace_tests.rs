//! Replacing files: modes kept, short temporary names, sets all or nothing.

use super::super::files::{commit_all, PendingFile};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

struct Dir(PathBuf);
impl Dir {
    fn new(tag: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("mxreplace-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(&self.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        v.sort();
        v
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, text: &str) -> PendingFile {
    PendingFile::write(path, false, |w| w.write_all(text.as_bytes())).unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o7777
}

#[test]
fn a_replaced_file_keeps_its_mode_a_new_one_gets_the_umask_default() {
    let d = Dir::new("mode");
    let old = d.0.join("private.nii");
    fs::write(&old, "old").unwrap();
    fs::set_permissions(&old, fs::Permissions::from_mode(0o600)).unwrap();
    write(&old, "new").commit().unwrap();
    assert_eq!((fs::read_to_string(&old).unwrap().as_str(), mode(&old)), ("new", 0o600));
    fs::set_permissions(&old, fs::Permissions::from_mode(0o640)).unwrap();
    write(&old, "newer").commit().unwrap();
    assert_eq!(mode(&old), 0o640);
    // a new file: what File::create (0666 less the umask) gives beside it
    let plain = d.0.join("plain");
    fs::File::create(&plain).unwrap();
    let fresh = d.0.join("fresh.nii");
    write(&fresh, "x").commit().unwrap();
    assert_eq!(mode(&fresh), mode(&plain));
    assert_eq!(d.names(), ["fresh.nii", "plain", "private.nii"], "no temporary file is left");
}

#[test]
fn the_temporary_name_is_short_so_any_legal_name_works() {
    let d = Dir::new("long");
    let name = format!("{}.nii", "a".repeat(250)); // 254 bytes: legal (NAME_MAX is 255)
    let path = d.0.join(&name);
    write(&path, "x").commit().unwrap();
    write(&path, "y").commit().unwrap(); // and replacing it (the old one is kept under a short name too)
    assert_eq!(fs::read_to_string(&path).unwrap(), "y");
    assert_eq!(d.names(), [name]);
}

#[test]
fn a_set_is_replaced_entirely_or_not_at_all() {
    let d = Dir::new("pair");
    let (img, hdr) = (d.0.join("x.img"), d.0.join("x.hdr"));
    fs::write(&img, "old voxels").unwrap();
    fs::write(&hdr, "old header").unwrap();
    let files = vec![write(&img, "new voxels"), write(&hdr, "new header")];
    // The header's rename will fail: its name became a directory after
    // the files were written (the last moment anything can go wrong).
    fs::remove_file(&hdr).unwrap();
    fs::create_dir(&hdr).unwrap();
    fs::write(hdr.join("inside"), "").unwrap();
    let e = commit_all(files).unwrap_err();
    assert_eq!(e.code[0], "POSIX", "{e:?}");
    assert!(e.message.contains("x.hdr") && e.message.contains("no file of the set was changed"), "{}", e.message);
    assert_eq!(fs::read_to_string(&img).unwrap(), "old voxels", "the image was put back");
    assert_eq!(d.names(), ["x.hdr", "x.img"], "no temporary or kept file is left");
    // Where the image is new, a failure removes it again.
    fs::remove_file(&img).unwrap();
    let files = vec![write(&img, "new voxels"), write(&hdr, "new header")];
    commit_all(files).unwrap_err();
    assert_eq!(d.names(), ["x.hdr"]);
    // And with nothing in the way both are replaced.
    fs::remove_dir_all(&hdr).unwrap();
    fs::write(&img, "old").unwrap();
    commit_all(vec![write(&img, "new voxels"), write(&hdr, "new header")]).unwrap();
    assert_eq!(fs::read_to_string(&img).unwrap(), "new voxels");
    assert_eq!(fs::read_to_string(&hdr).unwrap(), "new header");
    assert_eq!(d.names(), ["x.hdr", "x.img"]);
}

#[test]
fn nothing_has_a_name_while_it_is_written() {
    // A process killed here would leave nothing: the data is in an unnamed
    // (O_TMPFILE) file until the commit (ext4 and tmpfs have them).
    let d = Dir::new("unnamed");
    let path = d.0.join("v.nii");
    fs::write(&path, "old").unwrap();
    let mut seen = vec![];
    let pending = PendingFile::write(&path, false, |w| {
        seen = d.names();
        w.write_all(b"new")
    })
    .unwrap();
    assert_eq!(d.names(), ["v.nii"], "still nothing beside the old file once written and synced");
    pending.commit().unwrap();
    assert_eq!(seen, ["v.nii"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), "new");
    assert_eq!(d.names(), ["v.nii"]);
    // A dropped, uncommitted one leaves nothing either.
    drop(write(&d.0.join("w.nii"), "x"));
    assert_eq!(d.names(), ["v.nii"]);
}

#[test]
fn the_named_fallback_uses_random_exclusive_names() {
    let d = Dir::new("named");
    let (f1, n1) = super::create_named(&d.0, 0o600).unwrap();
    let (_f2, n2) = super::create_named(&d.0, 0o600).unwrap();
    drop(f1);
    assert_ne!(n1, n2);
    for n in [&n1, &n2] {
        let name = n.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with(".mx") && name.ends_with(".tmp") && name.len() == 3 + 16 + 4, "{name}");
        assert_eq!(mode(n), 0o600);
    }
}

#[test]
fn set_id_and_sticky_bits_are_never_kept() {
    let d = Dir::new("setid");
    let f = d.0.join("prog.nii");
    fs::write(&f, "old").unwrap();
    fs::set_permissions(&f, fs::Permissions::from_mode(0o7755)).unwrap();
    write(&f, "new").commit().unwrap();
    assert_eq!(mode(&f), 0o755);
}

#[test]
fn a_symlink_is_replaced_by_a_new_file_that_takes_nothing_from_its_target() {
    let d = Dir::new("link");
    let target = d.0.join("target");
    fs::write(&target, "theirs").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o4750)).unwrap();
    let link = d.0.join("link.nii");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let plain = d.0.join("plain");
    fs::File::create(&plain).unwrap();
    write(&link, "mine").commit().unwrap();
    let meta = fs::symlink_metadata(&link).unwrap();
    assert!(meta.is_file(), "the link itself was replaced");
    assert_eq!(meta.mode() & 0o7777, mode(&plain), "a new file's mode, not the target's");
    assert_eq!((fs::read_to_string(&target).unwrap().as_str(), mode(&target)), ("theirs", 0o4750));
}

#[test]
fn names_taken_every_time_are_a_posix_eexist_naming_the_last() {
    let d = Dir::new("taken");
    let mut tried = vec![];
    let err = super::with_fresh_name(&d.0, "old", super::NAME_TRIES, |name| -> std::io::Result<()> {
        tried.push(name.to_path_buf());
        Err(std::io::Error::from_raw_os_error(libc::EEXIST))
    })
    .unwrap_err();
    assert_eq!(tried.len(), super::NAME_TRIES);
    let mut unique = tried.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), tried.len(), "every try is a new random name");
    let e = super::super::files::io_error("write", "d/x.hdr", err);
    assert_eq!(e.code, ["POSIX", "EEXIST", "file exists"]);
    let last = tried.last().unwrap().display().to_string();
    assert!(e.message.contains("\"d/x.hdr\"") && e.message.contains(&last), "{}", e.message);
    // Other errors end the search at once.
    let mut count = 0;
    let err = super::with_fresh_name(&d.0, "tmp", 16, |_| -> std::io::Result<()> {
        count += 1;
        Err(std::io::Error::from_raw_os_error(libc::EACCES))
    })
    .unwrap_err();
    assert_eq!((count, err.raw_os_error()), (1, Some(libc::EACCES)));
}
