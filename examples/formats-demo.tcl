# The image-file part of the demo: load a real-looking volume, take pictures
# of it before and after processing, save the result.
#
# As a library (what examples/demo.tcl does):
#   source [file join [file dirname [info script]] formats-demo.tcl]
#   set c [::mxdemo::formats::load_volume]       ;# float32 canvas, ::mx-ready
#   ::mxdemo::formats::snapshot $c $outdir before  ;# -> list of PNG files
#   ... hand $c to an external program (MxExternCanvas / MxInternCanvas) ...
#   ::mxdemo::formats::snapshot $c $outdir after
#   $c save [file join $outdir result.nii.gz]
#
# As a script, it runs that whole job itself with examples/bin/mirror:
#   TCLLIBPATH=<repo> tclsh examples/formats-demo.tcl ?outdir?   (default demo-out)
package require mxcanvas

namespace eval ::mxdemo::formats {
    variable here [file dirname [file normalize [info script]]]
    # Window for the pictures, in the volume's real (scaled) units: brain
    # tissue of the phantom is ~200-300, its skull ~1000.
    variable window {0 400}
}

# Path of the demo volume, examples/data/phantom.nii.gz (made by
# examples/make-phantom.tcl if it is missing).
proc ::mxdemo::formats::volume {} {
    variable here
    set path [file join $here data phantom.nii.gz]
    if {![file exists $path]} {
        source [file join $here make-phantom.tcl]
        file mkdir [file dirname $path]
        set c [::mxdemo::phantom::make]
        $c save $path
        $c delete
    }
    return $path
}

# Load the demo volume with its scaling applied: a float32 canvas (the type
# the example programs take), its header facts in `$c info`.
proc ::mxdemo::formats::load_volume {{name ""}} {
    set args [list [volume]]
    if {$name ne ""} { lappend args $name }
    MxCanvas load {*}$args -scaled 1
}

# Write $tag-axial.png, $tag-coronal.png, $tag-sagittal.png (middle slices,
# head up) and $tag-montage.png (every axial slice) into $dir; returns the
# files. -window {lo hi} overrides the default window.
proc ::mxdemo::formats::snapshot {c dir tag args} {
    variable window
    set win [expr {[dict exists $args -window] ? [dict get $args -window] : $window}]
    file mkdir $dir
    set files {}
    foreach {view axis} {axial z coronal y sagittal x} {
        set f [file join $dir $tag-$view.png]
        $c png $f -axis $axis -flip 1 -window $win
        lappend files $f
    }
    set f [file join $dir $tag-montage.png]
    $c montage $f -flip 1 -columns 8 -window $win
    lappend files $f
    return $files
}

# What mirror does to one value of type $type ("negate"): -v; for signed
# integers -MIN saturates to MAX; for unsigned types MAX - v, the negative.
proc ::mxdemo::negate {type v} {
    if {$v eq "NaN"} { return NaN }
    switch -glob -- $type {
        float* { return [expr {-$v}] }
        uint* { return [expr {2**[string range $type 4 end] - 1 - $v}] }
        int* { return [expr {$v == -2**([string range $type 3 end] - 1) ? 2**([string range $type 3 end] - 1) - 1 : -$v}] }
    }
    error "unknown voxel type $type"
}
# Do two voxel values agree? Numerically, NaN matching NaN of either sign
# (Tcl prints a negated NaN as -NaN).
proc ::mxdemo::same {a b} {
    if {[string match {*NaN} $a] || [string match {*NaN} $b]} {
        return [expr {[string match {*NaN} $a] && [string match {*NaN} $b]}]
    }
    expr {$a == $b}
}
proc ::mxdemo::negation {type of} {
    switch -glob -- $type {
        float* { return "-$of" }
        uint* { return "[expr {2**[string range $type 4 end] - 1}] - $of" }
        default { return "-$of (saturating)" }
    }
}

# Run examples/bin/mirror (built by `make`) on canvas $c through shared
# memory: it mirrors left-right and negates every voxel (::mxdemo::negate).
proc ::mxdemo::formats::mirror {c} {
    variable here
    set id [MxExternCanvas $c]
    try {
        exec [file join $here bin mirror] $id {*}[mx::geometry $c]
    } on error {msg opts} {
        MxFreeTransport $id
        return -options $opts $msg
    }
    MxInternCanvas $c $id
}

if {[info exists ::argv0] && [file normalize $::argv0] eq [file normalize [info script]]} {
    set out [expr {[llength $::argv] ? [lindex $::argv 0] : "demo-out"}]
    set c [::mxdemo::formats::load_volume]
    puts "loaded [::mxdemo::formats::volume]: [dict get [$c info] width]x[dict get [$c info] height]x[dict get [$c info] depth], spacing [dict get [$c info] spacing] [dict get [$c info] xyz_units]"
    puts "before: [::mxdemo::formats::snapshot $c $out before]"
    ::mxdemo::formats::mirror $c
    # mirror negates the values: show the result in the negated window
    puts "after:  [::mxdemo::formats::snapshot $c $out after -window {-400 0}]"
    $c save [file join $out result.nii.gz]
    puts "saved [file join $out result.nii.gz]"
}
