# mx::view of a volume in the ortho layout, for a person at a display
# (`make view VOLUME=scan.nii.gz`), or, with -snapshot, to write a picture
# of the whole viewer window (labels, colorbar, status line) under a
# private Xvfb (`make viewer-shot`, docs/images/viewer.png).
#
#   TCLLIBPATH=<repo> tclsh examples/view-phantom.tcl ?-snapshot file.png? ?volume?
#
# A volume given opens with the viewer's own defaults, all derived from
# that volume: world orientation from its affine, true proportions from its
# voxel sizes, the robust window of its voxels, the crosshair at its
# centre, no overlay. Without a volume: examples/data/phantom.nii.gz, with a
# label overlay (skull 1, bright spots 2) to show what overlays look like.
# The viewer: left click moves the crosshair, the readout follows the
# mouse, the wheel and arrow keys step slices, Control+wheel zooms,
# middle-drag pans, right-drag changes window/level, keys x y z switch the
# axis; closing it ends the script.
package require mxcanvas

set here [file dirname [file normalize [info script]]]
set shot ""
if {[lindex $argv 0] eq "-snapshot"} {
    set shot [file normalize [lindex $argv 1]]
    set argv [lrange $argv 2 end]
}
set path [lindex $argv 0]

# A snapshot needs no screen: use a private Xvfb, which exits with us.
if {$shot ne ""} {
    set xvfb [open "|Xvfb -displayfd 1 -terminate -nolisten tcp -screen 0 1280x1024x24 2>@1" r]
    while {[gets $xvfb line] >= 0 && ![string is integer -strict $line]} {}
    set env(DISPLAY) :$line
}
package require Tk
wm withdraw .

if {$path ne ""} {
    set vol [MxCanvas load $path volume]
    set v [mx::view $vol -layout ortho]
} else {
    set vol [MxCanvas load [file join $here data phantom.nii.gz] phantom -scaled 1]
    # The overlay: 1 where the value is above 600 (the skull), 2 from 280 to
    # 400 (the bright spots), 0 (transparent) elsewhere.
    lassign [mx::geometry $vol] w h d f
    set mask [MxCanvas create labels -width $w -height $h -depth $d -frames $f -type uint8]
    binary scan [$vol data] f* values
    $mask data [binary format cu* [lmap v $values { expr {$v > 600 ? 1 : ($v >= 280 && $v <= 400 ? 2 : 0)} }]]
    set v [mx::view $vol -layout ortho -overlay $mask -alpha 0.45]
}

# The whole window as a PNG: xwd (x11-apps) dumps it, this decodes the
# 24/32-bit ZPixmap into a photo, ::mx::_snapshot writes it.
proc window_png {win file} {
    set f [open "|xwd -silent -id [winfo id $win]" rb]
    set data [read $f]
    close $f
    binary scan $data IIIIIIIIIIIIII size version format depth w h xoff order unit bitorder pad bpp bpl vclass
    binary scan $data @76I ncolors
    if {$format != 2 || $bpp != 32} { error "xwd: expected a 32-bit ZPixmap, got format $format, $bpp bits" }
    set at [expr {$size + 12 * $ncolors}]
    set rows {}
    for {set y 0} {$y < $h} {incr y} {
        binary scan $data @[expr {$at + $y * $bpl}]cu[expr {4 * $w}] px
        set row {}
        foreach {b g r -} $px { lappend row [format #%02x%02x%02x $r $g $b] }
        lappend rows $row
    }
    set photo [image create photo]
    $photo put $rows
    ::mx::_snapshot $photo $file
    image delete $photo
}

if {$shot ne ""} {
    wm geometry [$v path] +0+0
    # Hover over the middle of the first pane, so the status line shows a readout.
    update
    after 300
    update
    window_png [$v path] $shot
    puts "wrote $shot"
    exit
}
puts "mx::view $vol: $v. Close the window to end."
tkwait window [$v path]
exit
