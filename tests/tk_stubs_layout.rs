//! The Tk stubs slots that `src/tcl/tk.rs` declares by number agree with
//! the installed Tk headers: a C program compiled against `tk.h` prints
//! `offsetof(TkStubs, ...)` and `sizeof(Tk_PhotoImageBlock)`. Skips (saying
//! so) when no C compiler or no Tk headers (tk-dev) are installed.

use mxcanvas::tcl::tk::{
    slot_offset, PHOTO_BLOCK_SIZE, SLOT_FIND_PHOTO, SLOT_PHOTO_GET_IMAGE, SLOT_PHOTO_GET_SIZE, SLOT_PHOTO_PUT_BLOCK,
    SLOT_PHOTO_SET_SIZE,
};
use std::path::Path;
use std::process::Command;

const PROGRAM: &str = r#"
#include <stddef.h>
#include <stdio.h>
#include <tk.h>
#include <tkDecls.h>
int main(void) {
    printf("%zu %zu %zu %zu %zu %zu\n", offsetof(TkStubs, tk_FindPhoto), offsetof(TkStubs, tk_PhotoGetImage),
           offsetof(TkStubs, tk_PhotoGetSize),
           offsetof(TkStubs, tk_PhotoPutBlock), offsetof(TkStubs, tk_PhotoSetSize), sizeof(Tk_PhotoImageBlock));
    return 0;
}
"#;

/// Compile PROGRAM against the Tk headers in `include` and return what it prints,
/// or None (saying why) when it cannot be compiled.
fn offsets(include: &Path, label: &str) -> Option<Vec<usize>> {
    let dir = std::env::temp_dir().join(format!("mx-tk-layout-{}-{label}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (src, exe) = (dir.join("layout.c"), dir.join("layout"));
    std::fs::write(&src, PROGRAM).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let built = Command::new(&cc)
        .arg(format!("-I{}", include.display()))
        .arg("-DUSE_TK_STUBS")
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .status();
    match built {
        Ok(s) if s.success() => {}
        other => {
            let _ = std::fs::remove_dir_all(&dir);
            eprintln!("SKIPPED tk_stub_slots ({label}): cannot compile against tk.h ({other:?})");
            return None;
        }
    }
    let out = Command::new(&exe).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Some(String::from_utf8(out.stdout).unwrap().split_whitespace().map(|w| w.parse().unwrap()).collect())
}

fn want() -> Vec<usize> {
    vec![
        slot_offset(SLOT_FIND_PHOTO),
        slot_offset(SLOT_PHOTO_GET_IMAGE),
        slot_offset(SLOT_PHOTO_GET_SIZE),
        slot_offset(SLOT_PHOTO_PUT_BLOCK),
        slot_offset(SLOT_PHOTO_SET_SIZE),
        PHOTO_BLOCK_SIZE,
    ]
}

#[test]
fn tk_stub_slots_match_tk_h() {
    let include = ["/usr/include/tcl8.6", "/usr/include/tk8.6", "/usr/include"]
        .into_iter()
        .find(|d| Path::new(d).join("tkDecls.h").exists());
    let Some(include) = include else {
        eprintln!("SKIPPED tk_stub_slots_match_tk_h: no tkDecls.h (install tk-dev)");
        return;
    };
    if let Some(got) = offsets(Path::new(include), "8.6") {
        assert_eq!(got, want(), "Tk 8.6: TkStubs offsets (FindPhoto GetImage GetSize PutBlock SetSize) and block size");
    }
}

/// The same slots in Tk 9.0's headers: the system's, or the ones
/// scripts/ensure-tcl9.sh unpacked (tk9.0-dev) into .tcl9/.
#[test]
fn tk9_stub_slots_match_tk_h() {
    let unpacked = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tcl9/root/usr/include/tcl9.0");
    let include = [Path::new("/usr/include/tcl9.0").to_path_buf(), unpacked]
        .into_iter()
        .find(|d| d.join("tkDecls.h").exists() && d.join("tcl.h").exists());
    let Some(include) = include else {
        eprintln!("SKIPPED tk9_stub_slots_match_tk_h: no Tk 9.0 tkDecls.h (run `make -s tclsh9`)");
        return;
    };
    if let Some(got) = offsets(&include, "9.0") {
        assert_eq!(got, want(), "Tk 9.0: TkStubs offsets (FindPhoto GetImage GetSize PutBlock SetSize) and block size");
    }
}
