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

#[test]
fn tk_stub_slots_match_tk_h() {
    let include = ["/usr/include/tcl8.6", "/usr/include/tk8.6", "/usr/include"]
        .into_iter()
        .find(|d| Path::new(d).join("tkDecls.h").exists());
    let Some(include) = include else {
        eprintln!("SKIPPED tk_stub_slots_match_tk_h: no tkDecls.h (install tk-dev)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("mx-tk-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (src, exe) = (dir.join("layout.c"), dir.join("layout"));
    std::fs::write(&src, PROGRAM).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let built =
        Command::new(&cc).arg(format!("-I{include}")).arg("-DUSE_TK_STUBS").arg(&src).arg("-o").arg(&exe).status();
    match built {
        Ok(s) if s.success() => {}
        other => {
            let _ = std::fs::remove_dir_all(&dir);
            eprintln!("SKIPPED tk_stub_slots_match_tk_h: cannot compile against tk.h ({other:?})");
            return;
        }
    }
    let out = Command::new(&exe).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let got: Vec<usize> =
        String::from_utf8(out.stdout).unwrap().split_whitespace().map(|w| w.parse().unwrap()).collect();
    let want = vec![
        slot_offset(SLOT_FIND_PHOTO),
        slot_offset(SLOT_PHOTO_GET_IMAGE),
        slot_offset(SLOT_PHOTO_GET_SIZE),
        slot_offset(SLOT_PHOTO_PUT_BLOCK),
        slot_offset(SLOT_PHOTO_SET_SIZE),
        PHOTO_BLOCK_SIZE,
    ];
    assert_eq!(got, want, "TkStubs offsets (FindPhoto GetImage GetSize PutBlock SetSize) and block size");
}
