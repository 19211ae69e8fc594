#!/bin/sh
# Fuzz mxcanvas's pure parsing and encoding code with cargo-fuzz (libFuzzer),
# FUZZ_SECONDS (default 60) per target; `make fuzz` calls this.
#   sh scripts/fuzz.sh ?target ...?
# Targets (fuzz/fuzz_targets/): mode_and_integers (-mode parsing and the
# integer-spelling check), geometry (dimensions, sizes, voxel offsets),
# voxel_codec (encode/decode of every voxel type), gzip_reader (the gzip
# reader on any bytes against flate2; writer round trips), headers (NIfTI-1,
# NIfTI-2, MGH and .mat decoders and the content sniffer; NIfTI-2 and MGH
# re-encoding), dicom (the DICOM bounds walk, parser and frame decoders on
# any bytes).
# cargo-fuzz needs a nightly compiler: the nightly toolchain when rustup has
# one, otherwise the stable one with RUSTC_BOOTSTRAP=1. cargo-fuzz itself is
# installed from crates.io when missing. The corpus of each target is kept in
# fuzz/corpus/<target>, minimised after each run (cargo fuzz cmin); a crash
# leaves its input in fuzz/artifacts/<target>/ and fails the run.
set -eu
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz
fi
if rustup run nightly rustc --version >/dev/null 2>&1; then
    fuzz() { cargo +nightly fuzz "$@"; }
    echo "fuzz: using the nightly toolchain ($(rustup run nightly rustc --version))"
else
    fuzz() { RUSTC_BOOTSTRAP=1 cargo fuzz "$@"; }
    echo "fuzz: no nightly toolchain; using stable with RUSTC_BOOTSTRAP=1"
fi
targets=${*:-$(cd fuzz/fuzz_targets && ls *.rs | sed 's/\.rs$//')}
for t in $targets; do
    mkdir -p fuzz/corpus/$t
    echo "fuzz: $t for ${seconds}s"
    # A DICOM file's magic is at byte 128: its inputs need room past it
    # (the corpus holds real files of a few KiB).
    max_len=128
    [ "$t" = dicom ] && max_len=16384
    fuzz run "$t" "fuzz/corpus/$t" -- -max_total_time="$seconds" -max_len=$max_len -print_final_stats=1 2>&1 |
        grep -E '^(#[0-9]+.*DONE|Done|stat::number_of_executed_units|stat::peak_rss|==[0-9]+== ERROR|SUMMARY|.*panicked|Test unit written)' || true
    # the pipeline hides libFuzzer's exit status: a crash leaves an artifact
    if ls fuzz/artifacts/$t/crash-* fuzz/artifacts/$t/oom-* fuzz/artifacts/$t/timeout-* >/dev/null 2>&1; then
        echo "fuzz: $t FOUND A PROBLEM: see fuzz/artifacts/$t/" >&2
        exit 1
    fi
    fuzz cmin "$t" "fuzz/corpus/$t" >/dev/null 2>&1 || true
    echo "fuzz: $t ok, corpus $(ls fuzz/corpus/$t | wc -l) inputs"
done
