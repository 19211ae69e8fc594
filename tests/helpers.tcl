# Helpers shared by the tcltest files: where things are (tools, examples, the
# venv's Python), what the kernel says about shared memory segments (ipcs),
# independently of the package, and voxel data made or read without it.
namespace eval ::mxtest {
    variable root [file dirname [file dirname [file normalize [info script]]]]
    variable bin [file join $root tests tools bin]
}

# All shmids the kernel lists (`ipcs -m`).
proc ::mxtest::segment_ids {} {
    set ids {}
    foreach line [split [exec ipcs -m] \n] {
        if {[regexp {^0x[0-9a-f]+\s+(\d+)\s} $line -> id]} { lappend ids $id }
    }
    return $ids
}

proc ::mxtest::segment_exists {id} {
    expr {$id in [segment_ids]}
}

# A dict of `ipcs -m -i ID`: mode (permission bits, e.g. 0600), bytes,
# nattch, cpid, lpid, uid..., and dest (1 when marked for removal).
proc ::mxtest::segment_info {id} {
    set text [exec ipcs -m -i $id]
    set info [dict create]
    foreach {- key value} [regexp -all -inline {(\w+)=(\S+)} $text] {
        dict set info $key $value
    }
    set bits [scan [dict get $info mode] %o]
    dict set info dest [expr {($bits & 0o1000) != 0}]
    dict set info mode [format %04o [expr {$bits & 0o777}]]
    return $info
}

# Path of a test tool built by `make` (tests/tools/*.c).
proc ::mxtest::tool {name} {
    variable bin
    file join $bin $name
}

# Path of an example program built by `make` (examples/*.c).
proc ::mxtest::example {name} {
    variable root
    file join $root examples bin $name
}

# Fill canvas $c (any voxel type) through its data bytes: the voxel at layout
# index i (x fastest) gets i % 251, so every voxel's place shows in its value.
proc ::mxtest::pattern {c} {
    set info [$c info]
    dict with info {}
    set vals {}
    for {set i 0} {$i < $width*$height*$depth*$frames} {incr i} {
        lappend vals [expr {$i % 251}]
    }
    set fmt [dict get {uint8 cu int8 c uint16 su int16 s uint32 iu int32 i float32 f int64 m uint64 mu float64 d} $type]
    $c data [binary format $fmt* $vals]
    return $c
}

# The project's venv Python (made by `make venv`), with numpy and nibabel.
proc ::mxtest::python {} {
    variable root
    file join $root .venv bin python
}

# --- external-program kit (include/mxcanvas.h, client/, python/) ---

# binary format/scan letter for one voxel of each type, native byte order.
proc ::mxtest::voxel_format {type} {
    dict get {uint8 cu int8 c uint16 tu int16 t uint32 nu int32 n float32 f int64 m uint64 mu float64 d} $type
}

# Every voxel of canvas $c as a flat list (x fastest), independently of $c get.
proc ::mxtest::voxels {c} {
    binary scan [$c data] [voxel_format [dict get [$c info] type]]* values
    return $values
}

# Replace every voxel of canvas $c by the flat list $values.
proc ::mxtest::set_voxels {c values} {
    $c data [binary format [voxel_format [dict get [$c info] type]]* $values]
    return $c
}

# Path of the kit's Python example tool (run with ::mxtest::python).
proc ::mxtest::python_example {name} {
    variable root
    file join $root examples $name
}

# The shmids this process created (`ipcs -m -p`, creator pid): unlike
# segment_ids, not disturbed by other processes on the machine.
proc ::mxtest::own_segments {} {
    set ids {}
    foreach line [split [exec ipcs -m -p] \n] {
        if {[regexp {^(\d+)\s+\S+\s+(\d+)\s} $line -> id cpid] && $cpid == [pid]} {
            lappend ids $id
        }
    }
    return $ids
}

# ---- image formats (tests/formats*.test, png.test, photo.test) ----

# Can the venv's Python import nibabel? (constraint `nibabel`)
proc ::mxtest::have_nibabel {} {
    expr {[file executable [python]] && ![catch {exec [python] -c {import nibabel, numpy}}]}
}

# Run tests/tools/nibabel_view.py (nibabel's view of files) and return its output.
proc ::mxtest::nibabel {args} {
    variable root
    exec [python] [file join $root tests tools nibabel_view.py] {*}$args
}

# Decode a greyscale PNG independently (tests/tools/png_pixels.py):
# returns {width height {pixels row by row}}.
proc ::mxtest::png_pixels {file} {
    variable root
    exec [python] [file join $root tests tools png_pixels.py] $file
}

# The whole content of a file, as bytes.
proc ::mxtest::read_bytes {file} {
    set f [open $file rb]
    try { read $f } finally { close $f }
}

# A fresh scratch directory (removed by the caller with `file delete -force`).
proc ::mxtest::scratch_dir {tag} {
    set base [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}]
    set dir [file join $base mxcanvas-$tag-[pid]]
    file delete -force $dir
    file mkdir $dir
    return $dir
}

# Do two (nested) lists of numbers agree within `tol` (absolute, or relative
# to the larger magnitude when that exceeds 1)?
proc ::mxtest::close_enough {a b {tol 1e-6}} {
    if {[llength $a] != [llength $b]} { return 0 }
    if {[llength $a] > 1 || [llength [lindex $a 0]] > 1} {
        foreach x $a y $b {
            if {![close_enough $x $y $tol]} { return 0 }
        }
        return 1
    }
    set scale [expr {max(1.0, abs($a), abs($b))}]
    expr {abs($a - $b) <= $tol * $scale}
}

# 1 when segment $id is marked for removal (IPC_RMID): `ipcs -m` lists it
# with status "dest" (and `ipcs -m -i` shows the 01000 bit in its mode).
proc ::mxtest::segment_marked {id} {
    foreach line [split [exec ipcs -m] \n] {
        if {[lindex $line 1] eq $id} {
            return [expr {"dest" in $line}]
        }
    }
    error "no segment $id"
}

# ---- Tcl 8.6 and 9.0 (tests/loading.test, tests/large.test) ----

# The library built for the running Tcl, and the one for the other Tcl
# (Tcl 9 names extension libraries libtcl9<name>.so).
proc ::mxtest::library {} {
    variable root
    file join $root [expr {[package vsatisfies [info tclversion] 9-] ? "libtcl9mxcanvas.so" : "libmxcanvas.so"}]
}
proc ::mxtest::other_library {} {
    variable root
    file join $root [expr {[package vsatisfies [info tclversion] 9-] ? "libmxcanvas.so" : "libtcl9mxcanvas.so"}]
}
tcltest::testConstraint tcl9 [package vsatisfies [info tclversion] 9-]
tcltest::testConstraint tcl8 [expr {![package vsatisfies [info tclversion] 9-]}]

# ---- MXCANVAS (docs/mxcanvas-env.md), as mx::exec writes it ----

# A number as the format spells it: integers as integers, nan, inf, -inf.
proc ::mxtest::env_number {v} {
    if {[string match -nocase *nan* $v]} { return nan }
    if {$v == Inf} { return inf }
    if {$v == -Inf} { return -inf }
    if {[string is entier -strict $v]} { return $v }
    if {$v == floor($v) && abs($v) < 1e15} { return [expr {entier($v)}] }
    return [expr {double($v)}]
}

# The MXCANVAS text for canvases $canvases with shmids $ids, built from
# `$c info` (the header's effective scaling: 1 0 when slope is 0 or NaN).
proc ::mxtest::mxcanvas_env {canvases ids} {
    set text "mxcanvas 1\n"
    foreach c $canvases id $ids n [lsearch -all $canvases *] {
        set i [$c info]
        set slope [dict get $i scl_slope]
        set inter [dict get $i scl_inter]
        if {[string match -nocase *nan* $slope] || $slope == 0} { lassign {1 0} slope inter }
        if {[string match -nocase *nan* $inter]} { set inter 0 }
        set num {{values} { join [lmap v $values { ::mxtest::env_number $v }] , }}
        append text "canvas $n shmid=$id" \
            " width=[dict get $i width] height=[dict get $i height] depth=[dict get $i depth]" \
            " frames=[dict get $i frames] type=[dict get $i type] bytes=[dict get $i bytes]" \
            " spacing=[apply $num [dict get $i spacing]] tstep=[apply $num [list [dict get $i tstep]]]" \
            " units=[dict get $i xyz_units],[dict get $i t_units]" \
            " slope=[apply $num [list $slope]] inter=[apply $num [list $inter]]" \
            " affine=[apply $num [concat {*}[dict get $i affine]]]\n"
    }
    return $text
}

# Run `exec {*}$args` with MXCANVAS describing canvas $c (and the canvases
# of $more) through nested mx::transport calls, as mx::exec does; returns
# the command's output. The shmids are in ::mxtest::env_ids meanwhile.
proc ::mxtest::exec_env {canvases args} {
    variable env_ids {}
    ::mxtest::exec_env_ $canvases {} $args
}
proc ::mxtest::exec_env_ {canvases ids cmd} {
    if {[llength $ids] == [llength $canvases]} {
        set ::mxtest::env_ids $ids
        set saved [array get ::env MXCANVAS]
        set ::env(MXCANVAS) [::mxtest::mxcanvas_env $canvases $ids]
        try {
            return [exec {*}$cmd]
        } finally {
            unset ::env(MXCANVAS)
            array set ::env $saved
        }
    }
    mx::transport id [lindex $canvases [llength $ids]] {
        return [::mxtest::exec_env_ $canvases [linsert $ids end $id] $cmd]
    }
}

# The running Tcl shell as another user can run it: itself, when every
# folder above it lets others through; else (the Tcl 9 that
# scripts/ensure-tcl9.sh unpacks into a checkout's .tcl9/, in a clone made in
# a 0700 folder) a readable copy of that Tcl, its wrapper pointing at the
# copy, removed when this test file's shell exits.
proc ::mxtest::readable_tclsh {} {
    variable readable_tclsh
    if {[info exists readable_tclsh]} { return $readable_tclsh }
    set exe [file normalize [info nameofexecutable]]
    set open 1
    set path /
    foreach part [lrange [file split $exe] 1 end-1] {
        set path [file join $path $part]
        file stat $path st
        if {!($st(mode) & 0o001)} { set open 0 }
    }
    set tcl9 [file dirname [file dirname $exe]]
    if {$open || ![file isdirectory [file join $tcl9 root]]} { return [set readable_tclsh $exe] }
    set dir [exec mktemp -d /tmp/mxcanvas-tcl9-XXXXXX]
    exec cp -a [file join $tcl9 root] [file join $tcl9 bin] $dir
    foreach wrapper [glob -directory [file join $dir bin] *] {
        set f [open $wrapper]; set text [read $f]; close $f
        set f [open $wrapper w]; puts -nonewline $f [string map [list $tcl9 $dir] $text]; close $f
    }
    exec chmod -R a+rX $dir
    trace add execution exit enter [list apply {{dir args} { file delete -force $dir }} $dir]
    return [set readable_tclsh [file join $dir bin [file tail $exe]]]
}
