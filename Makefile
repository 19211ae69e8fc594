# mxcanvas — thin wrapper over cargo and tclsh.
#   make          build the library, pkgIndex.tcl and the example programs
#   make demo     build, then run the main job end to end
#   make test     build, then run every test (cargo test + the tcltest suite)
#   make install  install the Tcl package (PREFIX=/usr/local, DESTDIR honoured)

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

.PHONY: all build deps venv display-deps programs demo test test-rust test-tcl install uninstall clean
.DEFAULT_GOAL := all

all: build

deps:
	@sh scripts/ensure-build-deps.sh

# The Python venv (.venv) used by the tests and the Python client module.
venv:
	@sh scripts/ensure-venv.sh

# Tk and Xvfb for the Tk photo test (tests/photo.test skips loudly without them).
display-deps:
	@sh scripts/ensure-display-deps.sh

build: deps
	$(CARGO) build --release --workspace
	cp target/release/$(LIB) $(LIB)
	$(MAKE) --no-print-directory programs

programs: $(PROGRAMS)

examples/bin/%: examples/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iinclude -o $@ $<

tests/tools/bin/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iinclude -o $@ $<

demo: build
	TCLLIBPATH=$(CURDIR) $(TCLSH) examples/demo.tcl

test: build test-rust test-tcl

test-rust: deps
	$(CARGO) test --release --workspace

test-tcl: build venv display-deps
	TCLLIBPATH=$(CURDIR) $(TCLSH) tests/all.tcl

install: build
	install -d $(TCLPKGDIR)/tcl
	install -m 0755 $(LIB) $(TCLPKGDIR)/$(LIB)
	install -m 0644 pkgIndex.tcl $(TCLPKGDIR)/pkgIndex.tcl
	install -m 0644 tcl/*.tcl $(TCLPKGDIR)/tcl/

uninstall:
	rm -rf $(TCLPKGDIR)

clean:
	$(CARGO) clean
	rm -rf $(LIB) examples/bin tests/tools/bin
