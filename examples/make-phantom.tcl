# Generate examples/data/phantom.nii.gz: a small, real-looking head volume
# for the demo, made with nothing but mxcanvas (no downloaded data, so no
# licence question): the 3-D modified Shepp-Logan phantom (Kak & Slaney's
# ellipsoids with Toft's contrast), a smooth coil-like bias field and
# deterministic noise, stored as int16 with a scale factor like scanner data.
#
#   TCLLIBPATH=<repo> tclsh examples/make-phantom.tcl ?output.nii.gz?
package require mxcanvas

namespace eval ::mxdemo::phantom {
    # intensity, semi-axes a b c, centre x0 y0 z0, rotation about z (degrees)
    variable ellipsoids {
        { 1.0  .6900 .920 .810   0     0     0     0}
        {-0.8  .6624 .874 .780   0   -.0184  0     0}
        {-0.2  .1100 .310 .220  .22    0     0   -18}
        {-0.2  .1600 .410 .280 -.22    0     0    18}
        { 0.1  .2100 .250 .410   0    .35  -.15    0}
        { 0.1  .0460 .046 .050   0    .1    .25    0}
        { 0.1  .0460 .046 .050   0   -.1    .25    0}
        { 0.1  .0460 .023 .050 -.08  -.605   0     0}
        { 0.1  .0230 .023 .020   0   -.606   0     0}
        { 0.1  .0230 .046 .020  .06  -.605   0     0}
    }
}

# The phantom as a new int16 canvas of width x height x depth voxels.
proc ::mxdemo::phantom::make {{width 64} {height 64} {depth 40}} {
    variable ellipsoids
    set pi [expr {acos(-1)}]
    set prepared {}
    foreach e $ellipsoids {
        lassign $e rho a b c x0 y0 z0 phi
        set t [expr {$phi * $pi / 180.0}]
        lappend prepared [list $rho [expr {1.0/($a*$a)}] [expr {1.0/($b*$b)}] [expr {1.0/($c*$c)}] \
            $x0 $y0 $z0 [expr {cos($t)}] [expr {sin($t)}]]
    }
    set seed 12345
    set values {}
    for {set k 0} {$k < $depth} {incr k} {
        set z [expr {2.0 * ($k + 0.5) / $depth - 1.0}]
        for {set j 0} {$j < $height} {incr j} {
            set y [expr {2.0 * ($j + 0.5) / $height - 1.0}]
            for {set i 0} {$i < $width} {incr i} {
                set x [expr {2.0 * ($i + 0.5) / $width - 1.0}]
                set v 0.0
                foreach p $prepared {
                    lassign $p rho ia ib ic x0 y0 z0 ct st
                    set dx [expr {$x - $x0}]
                    set dy [expr {$y - $y0}]
                    set u [expr {$dx*$ct + $dy*$st}]
                    set w [expr {-$dx*$st + $dy*$ct}]
                    set dz [expr {$z - $z0}]
                    if {$u*$u*$ia + $w*$w*$ib + $dz*$dz*$ic <= 1.0} {
                        set v [expr {$v + $rho}]
                    }
                }
                # a receive-coil-like bias (brighter towards the back and top)
                # and small noise from a fixed linear congruential generator
                set seed [expr {($seed * 1103515245 + 12345) % 2147483648}]
                set noise [expr {($seed / 2147483648.0 - 0.5) * 0.04}]
                set bias [expr {1.0 + 0.15 * $y + 0.1 * $z}]
                lappend values [expr {round((($v * $bias) + ($v > 0 ? $noise : $noise / 4)) * 2000)}]
            }
        }
    }
    set c [MxCanvas create -width $width -height $height -depth $depth -type int16]
    $c data [binary format s* $values]
    # 3.5 mm voxels centred on the origin, RAS+, scanner-like scaling:
    # stored value * 0.5 = signal.
    set sx 3.5; set sy 3.5; set sz 4.0
    $c configure -spacing [list $sx $sy $sz] -xyz_units mm -t_units sec \
        -scl_slope 0.5 -scl_inter 0 -description "mxcanvas demo phantom (3-D Shepp-Logan)" \
        -sform [list [list $sx 0 0 [expr {-$sx * ($width - 1) / 2.0}]] \
                     [list 0 $sy 0 [expr {-$sy * ($height - 1) / 2.0}]] \
                     [list 0 0 $sz [expr {-$sz * ($depth - 1) / 2.0}]]] \
        -sform_code 1
    return $c
}

if {[info exists ::argv0] && [file normalize $::argv0] eq [file normalize [info script]]} {
    set out [expr {[llength $::argv] ? [lindex $::argv 0] \
        : [file join [file dirname [info script]] data phantom.nii.gz]}]
    set c [::mxdemo::phantom::make]
    $c save $out
    puts "wrote $out: [dict get [$c info] width]x[dict get [$c info] height]x[dict get [$c info] depth] int16, [file size $out] bytes"
}
