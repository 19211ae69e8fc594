# mxcanvas — thin wrapper over cargo and tclsh.
#   make          build the library and the example programs (pkgIndex.tcl is
#                 checked in; tests/introspection.test fails if its version
#                 is not Cargo.toml's)
#   make demo     build, then run the main job end to end
#   make view     build, then open mx::view on the demo phantom (needs a display)
#   make test     build, then run every test (cargo test + the tcltest suite,
#                 under Tcl 8.6 and, when a Tcl 9 can be had, under 9.0 too)
#   make test9    only the suite's Tcl 9.0 pass (builds libtcl9mxcanvas.so)
#   make -s tclsh9  print the Tcl 9 shell the 9.0 pass uses (fetched if need be)
#   make lint     clippy (-D warnings, every target), rustfmt --check, no module cycle,
#                 the client crate's documentation without a warning
#   make install  install the package for each Tcl it was built for, the man
#                 page, header and pkg-config file (PREFIX=/usr/local, DESTDIR
#                 honoured); make uninstall removes exactly that
#   make bench    benchmark against C, numpy, nibabel, SimpleITK; writes BENCHMARKS.md (docs/performance.md)

VERSION  := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
PREFIX   ?= /usr/local
DESTDIR  ?=
TCLSH    ?= tclsh
CARGO    ?= cargo
CC       ?= cc
CFLAGS   ?= -O2 -g -Wall -Wextra -std=c99 -D_DEFAULT_SOURCE

LIB      = libmxcanvas.so
# The Tcl 9.0 build of the same sources (Tcl 9 names extension libraries
# libtcl9<name>.so), in a target folder of its own so that neither build
# invalidates the other. scripts/ensure-tcl9.sh finds or fetches a Tcl 9.
LIB9     = libtcl9mxcanvas.so
TARGET9  = target/tcl9
# What the libraries are built from: `make install` rebuilds only if one is newer.
SOURCES  = $(shell find src -name '*.rs') build.rs Cargo.toml Cargo.lock
PROGRAMS = examples/bin/mirror tests/tools/bin/shmhold
# The external-program kit (include/mxcanvas.h, client/, python/): its example
# tools and the header's own check program.
PROGRAMS += examples/bin/threshold examples/bin/smooth tests/tools/bin/mxcanvas_h_check
# Reliability tests: segments made by other tools, programs that crash mid-write.
PROGRAMS += tests/tools/bin/shmforeign tests/tools/bin/crashwrite
# The kits' attach order (tests/types-kit.test): an LD_PRELOAD call logger.
PROGRAMS += tests/tools/bin/shmtrace.so
# A file system without O_TMPFILE, for the named-temporary fallback (tests/savesafety.test).
PROGRAMS += tests/tools/bin/notmpfile.so
# What each kit reads from MXCANVAS (tests/kit-env.test): C and Rust.
PROGRAMS += tests/tools/bin/envdump tests/tools/bin/envdump-rs

.PHONY: all build deps venv display-deps programs demo test test-rust test-tcl install uninstall clean
.PHONY: build9 test9 tclsh9
.PHONY: FORCE
.PHONY: test-deps memcheck fuzz lint
.PHONY: bench bench-venv
.PHONY: view viewer-shot
.DEFAULT_GOAL := all

all: build

deps:
	@sh scripts/ensure-build-deps.sh

# What the reliability tests need beyond the build: tcl-thread, valgrind.
test-deps:
	@sh scripts/ensure-test-deps.sh

# The Python venv (.venv) used by the tests and the Python client module.
venv:
	@sh scripts/ensure-venv.sh

# Tk and Xvfb for the Tk photo test (tests/photo.test skips loudly without them).
display-deps:
	@sh scripts/ensure-display-deps.sh

build: deps
	$(CARGO) build --release --workspace
	@# Replace the library atomically, and only when it changed: rewriting
	@# the file in place would corrupt processes that have it loaded.
	@cmp -s target/release/$(LIB) $(LIB) || { cp target/release/$(LIB) $(LIB).tmp && mv -f $(LIB).tmp $(LIB); }
	@touch $(LIB)
	$(MAKE) --no-print-directory programs

# Only when a source is newer (install's prerequisite): `build` is what runs cargo.
$(LIB): $(SOURCES)
	$(MAKE) --no-print-directory build

# The Tcl 9 shell (empty when none can be had; ensure-tcl9.sh says why).
tclsh9:
	@sh scripts/ensure-tcl9.sh tclsh

# tcl-sys's bindgen asks pkg-config for "tcl": PKG_CONFIG_PATH gives it the 9.0
# headers; build.rs sees them too and compiles src/tcl/ for Tcl 9.
build9: deps
	@pcdir=$$(sh scripts/ensure-tcl9.sh pcdir); \
	if [ -z "$$pcdir" ]; then echo "mxcanvas: no Tcl 9: $(LIB9) not built" >&2; exit 1; fi; \
	PKG_CONFIG_PATH=$$pcdir CARGO_TARGET_DIR=$(TARGET9) $(CARGO) build --release -p mxcanvas --lib
	@cmp -s $(TARGET9)/release/$(LIB) $(LIB9) || { cp $(TARGET9)/release/$(LIB) $(LIB9).tmp && mv -f $(LIB9).tmp $(LIB9); }
	@touch $(LIB9)

$(LIB9): $(SOURCES)
	$(MAKE) --no-print-directory build9

programs: $(PROGRAMS)

examples/bin/%: examples/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iinclude -o $@ $<

tests/tools/bin/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iinclude -o $@ $<

tests/tools/bin/shmtrace.so: tests/tools/shmtrace.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -shared -fPIC -o $@ $< -ldl

tests/tools/bin/notmpfile.so: tests/tools/notmpfile.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -shared -fPIC -o $@ $< -ldl

# The kit's C programs depend on its header.
examples/bin/threshold tests/tools/bin/envdump: include/mxcanvas.h

# The header must compile warning-free under strict flags: programs that
# include it may use them.
tests/tools/bin/mxcanvas_h_check: tests/tools/mxcanvas_h_check.c include/mxcanvas.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wpedantic -Wconversion -Wshadow -Werror -Iinclude -o $@ $<

# The Rust kit's smoothing tool (client/examples/smooth.rs); cargo decides
# whether anything needs rebuilding.
examples/bin/smooth: FORCE
	$(CARGO) build --release -p mxcanvas-client --example smooth
	@mkdir -p $(@D)
	cp target/release/examples/smooth $@

# The Rust kit's MXCANVAS reader as a tool (client/examples/envdump.rs).
tests/tools/bin/envdump-rs: FORCE
	$(CARGO) build --release -p mxcanvas-client --example envdump
	@mkdir -p $(@D)
	cp target/release/examples/envdump $@

FORCE:

# make demo [VOLUME=file.nii.gz] [DEMO_OUT=dir]: without VOLUME, the shipped phantom.
VOLUME   ?=
DEMO_OUT ?= demo-out
demo: build
	TCLLIBPATH=$(CURDIR) $(TCLSH) examples/demo.tcl "$(VOLUME)" "$(DEMO_OUT)"

# make view [VOLUME=file]: mx::view of the volume with defaults derived from
# it (without VOLUME, the phantom with a label overlay), for a person at a
# display; viewer-shot writes the README's picture of the whole viewer
# window under a private Xvfb, of nibabel's anatomical.nii unless VOLUME is given.
view: build
	TCLLIBPATH=$(CURDIR) $(TCLSH) examples/view-phantom.tcl $(VOLUME)

viewer-shot: build display-deps venv
	TCLLIBPATH=$(CURDIR) $(TCLSH) examples/view-phantom.tcl -snapshot docs/images/viewer.png \
		$(or $(VOLUME),$(firstword $(wildcard .venv/lib/python3*/site-packages/nibabel/tests/data/anatomical.nii)))

test: build test-rust test-tcl test9

# display-deps: tests/tk_stubs_layout.rs compiles against Tk's headers (and
# Tk 9.0's, which ensure-tcl9.sh unpacks with Tcl 9 when it can be had).
test-rust: deps display-deps
	@sh scripts/ensure-tcl9.sh tclsh >/dev/null
	$(CARGO) test --release --workspace

test-tcl: build venv test-deps display-deps
	TCLLIBPATH=$(CURDIR) $(TCLSH) tests/all.tcl

# The suite again under Tcl 9.0, when a Tcl 9 can be had (skipped loudly if
# not), and the library's own unit tests compiled for 9 (src/tcl/ under
# cfg(tcl9)); both in target/tcl9, so neither pass rebuilds the other's.
test9: build venv test-deps display-deps
	@tclsh9=$$(sh scripts/ensure-tcl9.sh tclsh); \
	if [ -z "$$tclsh9" ]; then echo "mxcanvas: SKIPPING the Tcl 9.0 test pass: no Tcl 9 (see above)" >&2; exit 0; fi; \
	$(MAKE) --no-print-directory build9 && \
	PKG_CONFIG_PATH=$$(sh scripts/ensure-tcl9.sh pcdir) CARGO_TARGET_DIR=$(TARGET9) \
		$(CARGO) test --release -p mxcanvas --lib -q && \
	echo "TCLLIBPATH=$(CURDIR) $$tclsh9 tests/all.tcl" && \
	TCLLIBPATH=$(CURDIR) $$tclsh9 tests/all.tcl

# The tools say no: clippy on the workspace and every target (tests, examples)
# with warnings as errors ([lints] in Cargo.toml adds undocumented_unsafe_blocks),
# formatting as rustfmt.toml says, no import cycle between modules, and
# the client crate's docs without a warning (clippy's incompatible_msrv lint
# also holds that crate to its rust-version).
lint: deps
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	@# The Tcl 9 build's src/tcl/ (cfg(tcl9)) too, when a Tcl 9 can be had.
	@pcdir=$$(sh scripts/ensure-tcl9.sh pcdir); [ -z "$$pcdir" ] || { set -x; \
		PKG_CONFIG_PATH=$$pcdir CARGO_TARGET_DIR=$(TARGET9) $(CARGO) clippy --release -p mxcanvas --lib --tests -- -D warnings; }
	$(CARGO) fmt --all -- --check
	sh scripts/module-graph.sh
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc -p mxcanvas-client --no-deps

# The tcltest suite under valgrind memcheck (logs in target/memcheck/).
memcheck: build venv test-deps
	sh scripts/memcheck.sh

# cargo-fuzz over the pure parsing/encoding code, FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh scripts/fuzz.sh
# Benchmarks: not part of `make test` (timings are no test). The plot needs
# matplotlib, installed into .venv from requirements-bench.txt.
bench-venv: venv
	@sh scripts/ensure-bench-venv.sh

bench/bin/cycle: bench/cycle.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -pthread -o $@ $<

# The deflate implementations side by side (bench/deflate, outside the workspace).
bench/bin/deflate-compare: FORCE
	$(CARGO) build --release --manifest-path bench/deflate/Cargo.toml --target-dir target/bench-deflate
	@mkdir -p $(@D)
	cp target/bench-deflate/release/deflate-compare $@

bench: build bench-venv bench/bin/cycle bench/bin/deflate-compare
	TCLSH=$(TCLSH) .venv/bin/python bench/run.py

# For each Tcl built for: the 8.6 library always, the 9.0 one when it was
# built (make build9 / make test). Where each goes: scripts/install.sh (that
# Tcl's tcl_pkgPath; TCLPKGDIR / TCL9PKGDIR override the folder the package
# folder is made in). Depends on the library files, not on `build`, so a
# current build is installed as is (no cargo run, e.g. as root).
INSTALL_TCLS = $(TCLSH)=$(LIB)
INSTALL_DEPS = $(LIB)
ifneq ($(wildcard $(LIB9)),)
TCLSH9 ?= $(shell sh scripts/ensure-tcl9.sh tclsh 2>/dev/null)
INSTALL_TCLS += $(TCLSH9)=$(LIB9)
INSTALL_DEPS += $(LIB9)
endif
TCLPKGDIR  ?=
TCL9PKGDIR ?=
install: $(INSTALL_DEPS)
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) VERSION=$(VERSION) PKGDIR_1=$(TCLPKGDIR) PKGDIR_2=$(TCL9PKGDIR) \
		sh scripts/install.sh install $(INSTALL_TCLS)

uninstall:
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) VERSION=$(VERSION) sh scripts/install.sh uninstall

clean:
	$(CARGO) clean
	rm -rf $(LIB) $(LIB9) examples/bin tests/tools/bin bench/bin
