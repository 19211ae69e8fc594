# mx::view on the demo phantom, with a label overlay (skull 1, bright
# spots 2), in the ortho layout: for a person at a display (`make view`),
# or, with -snapshot, to write the README's picture under a private Xvfb
# (`make viewer-shot`, docs/images/viewer.png).
#
#   TCLLIBPATH=<repo> tclsh examples/view-phantom.tcl ?-snapshot file.png? ?volume?
#
# Without a volume: examples/data/phantom.nii.gz. The viewer: left click
# moves the crosshair, the wheel and arrow keys step slices, right-drag
# changes window/level, keys x y z switch the axis; closing it ends the script.
package require mxcanvas

set here [file dirname [file normalize [info script]]]
set shot ""
if {[lindex $argv 0] eq "-snapshot"} {
    set shot [file normalize [lindex $argv 1]]
    set argv [lrange $argv 2 end]
}
set path [lindex $argv 0]
if {$path eq ""} { set path [file join $here data phantom.nii.gz] }

# A snapshot needs no screen: use a private Xvfb, which exits with us.
if {$shot ne ""} {
    set xvfb [open "|Xvfb -displayfd 1 -terminate -nolisten tcp -screen 0 1280x1024x24 2>@1" r]
    while {[gets $xvfb line] >= 0 && ![string is integer -strict $line]} {}
    set env(DISPLAY) :$line
}
package require Tk
wm withdraw .

set vol [MxCanvas load $path phantom -scaled 1]
# The overlay: 1 where the value is above 600 (the skull), 2 from 280 to
# 400 (the bright spots), 0 (transparent) elsewhere.
lassign [mx::geometry $vol] w h d f
set mask [MxCanvas create labels -width $w -height $h -depth $d -frames $f -type uint8]
binary scan [$vol data] f* values
$mask data [binary format cu* [lmap v $values { expr {$v > 600 ? 1 : ($v >= 280 && $v <= 400 ? 2 : 0)} }]]

set v [mx::view $vol -layout ortho -zoom 4 -flip 1 -window {0 400} -overlay $mask -alpha 0.45]
$v cursor 32 36 20
if {$shot ne ""} {
    update
    $v snapshot $shot
    puts "wrote $shot"
    exit
}
puts "mx::view $vol: $v. Close the window to end."
tkwait window [$v path]
exit
