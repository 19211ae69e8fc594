# mxcanvas — thin wrapper over cargo and tclsh.
#   make          build the library and the example programs (pkgIndex.tcl is
#                 checked in; tests/introspection.test fails if its version
#                 is not Cargo.toml's)
#   make demo     build, then run the main job end to end
#   make view     build, then open mx::view on the demo phantom (needs a display)
#   make test     build, then run every test (cargo test + the tcltest suite)
#   make lint     clippy (-D warnings, every target), rustfmt --check, no module cycle,
#                 the client crate's documentation without a warning
#   make install  install the Tcl package (PREFIX=/usr/local, DESTDIR honoured)
#   make bench    benchmark against C and numpy; writes BENCHMARKS.md (docs/performance.md)

VERSION  := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
PREFIX   ?= /usr/local
DESTDIR  ?=
TCLSH    ?= tclsh
CARGO    ?= cargo
CC       ?= cc
CFLAGS   ?= -O2 -g -Wall -Wextra -std=c99 -D_DEFAULT_SOURCE
TCLPKGDIR = $(DESTDIR)$(PREFIX)/lib/tcltk/mxcanvas$(VERSION)

LIB      = libmxcanvas.so
PROGRAMS = examples/bin/mirror tests/tools/bin/shmhold
# The external-program kit (include/mxcanvas.h, client/, python/): its example
# tools and the header's own check program.
PROGRAMS += examples/bin/threshold examples/bin/smooth tests/tools/bin/mxcanvas_h_check
# Reliability tests: segments made by other tools, programs that crash mid-write.
PROGRAMS += tests/tools/bin/shmforeign tests/tools/bin/crashwrite
# The kits' attach order (tests/types-kit.test): an LD_PRELOAD call logger.
PROGRAMS += tests/tools/bin/shmtrace.so

.PHONY: all build deps venv display-deps programs demo test test-rust test-tcl install uninstall clean
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
	$(MAKE) --no-print-directory programs

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

# The kit's C programs depend on its header.
examples/bin/threshold: include/mxcanvas.h

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

FORCE:

# make demo [VOLUME=file.nii.gz] [DEMO_OUT=dir]: without VOLUME, the shipped phantom.
VOLUME   ?=
DEMO_OUT ?= demo-out
demo: build
	TCLLIBPATH=$(CURDIR) $(TCLSH) examples/demo.tcl "$(VOLUME)" "$(DEMO_OUT)"

# mx::view on the phantom with a label overlay, for a person at a display;
# viewer-shot writes the README's picture of it under a private Xvfb.
view: build
	TCLLIBPATH=$(CURDIR) $(TCLSH) examples/view-phantom.tcl $(VOLUME)

viewer-shot: build display-deps
	TCLLIBPATH=$(CURDIR) $(TCLSH) examples/view-phantom.tcl -snapshot docs/images/viewer.png $(VOLUME)

test: build test-rust test-tcl

test-rust: deps
	$(CARGO) test --release --workspace

test-tcl: build venv test-deps display-deps
	TCLLIBPATH=$(CURDIR) $(TCLSH) tests/all.tcl

# The tools say no: clippy on the workspace and every target (tests, examples)
# with warnings as errors ([lints] in Cargo.toml adds undocumented_unsafe_blocks),
# formatting as rustfmt.toml says, no import cycle between modules, and
# the client crate's docs without a warning (clippy's incompatible_msrv lint
# also holds that crate to its rust-version).
lint: deps
	$(CARGO) clippy --workspace --all-targets -- -D warnings
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

bench: build bench-venv bench/bin/cycle
	TCLSH=$(TCLSH) .venv/bin/python bench/run.py

install: build
	install -d $(TCLPKGDIR)/library
	install -m 0755 $(LIB) $(TCLPKGDIR)/$(LIB)
	install -m 0644 pkgIndex.tcl $(TCLPKGDIR)/pkgIndex.tcl
	install -m 0644 library/*.tcl $(TCLPKGDIR)/library/
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0644 include/mxcanvas.h $(DESTDIR)$(PREFIX)/include/mxcanvas.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' include/mxcanvas.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/mxcanvas.pc
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/mxcanvas.pc

uninstall:
	rm -rf $(TCLPKGDIR)
	rm -f $(DESTDIR)$(PREFIX)/include/mxcanvas.h $(DESTDIR)$(PREFIX)/lib/pkgconfig/mxcanvas.pc

clean:
	$(CARGO) clean
	rm -rf $(LIB) examples/bin tests/tools/bin bench/bin
