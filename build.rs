//! Which Tcl the bindings are for, read from the headers tcl-sys's bindgen
//! uses (it asks pkg-config for "tcl"; the Makefile's 9.0 build points
//! PKG_CONFIG_PATH at a `tcl.pc` for the 9.0 headers). Under Tcl 9 the
//! binding layer (`src/tcl/`) is compiled with `cfg(tcl9)`: 64-bit
//! `Tcl_Size`, the 4-argument `Tcl_InitStubs` and the 9.0 stubs names.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(tcl9)");
    println!("cargo::rerun-if-changed=build.rs");
    for var in ["PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR", "PKG_CONFIG"] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    // Same lookup as tcl-sys's build script, without repeating its link flags.
    let lib = pkg_config::Config::new()
        .atleast_version("8.6")
        .cargo_metadata(false)
        .probe("tcl")
        .unwrap_or_else(|e| panic!("mxcanvas needs Tcl's headers (pkg-config tcl): {e}"));
    let header: PathBuf = lib
        .include_paths
        .iter()
        .map(|dir| dir.join("tcl.h"))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("no tcl.h in pkg-config's include paths {:?}", lib.include_paths));
    println!("cargo::rerun-if-changed={}", header.display());
    let text = std::fs::read_to_string(&header).unwrap_or_else(|e| panic!("{}: {e}", header.display()));
    let major: u32 = text
        .lines()
        .filter_map(|line| line.trim_start_matches(['#', ' ', '\t']).strip_prefix("define"))
        .filter_map(|rest| rest.trim().strip_prefix("TCL_MAJOR_VERSION"))
        .find_map(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("{} defines no TCL_MAJOR_VERSION", header.display()));
    match major {
        8 => {}
        9 => println!("cargo::rustc-cfg=tcl9"),
        _ => panic!("{}: Tcl {major} is not supported (8.6 or 9.0)", header.display()),
    }
}
