# Viewer redraw times, for `make bench`: a 512x512 slice (of a 512x512x3
# canvas) of int16 and float32, with a window and a colormap, at zoom 1 and
# 2, on a private Xvfb server that this script starts. Prints "name value"
# lines (median wall-clock microseconds of REPS calls; the same names with
# _cpu are the mean CPU time per call from /proc/self/stat, which a busy
# machine does not inflate):
#   render_TYPE_zK   ::mx::_render into the viewer's photo (the Rust path
#                    plus the one Tk_PhotoPutBlock)
#   refresh_TYPE_zK  `$v refresh`: the same from the viewer command, with
#                    the crosshair and status line updated
#   shown_TYPE_zK    `$v refresh` + `update idletasks`: until Tk has drawn
#                    the photo on the X server
#   png_TYPE         `$c png file` of the same slice and window, for comparison
#   hover_TYPE_zK    the readout as the mouse moves: ::mx::view::Hover (voxel
#                    under the pointer, its value, world mm, status line)
#   window_TYPE_zK   `$v configure -window ...` (two windows in turn): redraw
#                    with a new window, crosshair, colorbar and status line
# Each name is measured in voxel orientation; the same name with _world
# appended in world orientation (the canvas's spacing affine: x flipped,
# rows run A to P, so both directions of index arithmetic are timed).
#
#     tclsh bench/view.tcl ?REPS?
package require mxcanvas

set reps [expr {[llength $argv] ? [lindex $argv 0] : 40}]
set chan [open "|Xvfb -displayfd 1 -terminate -nolisten tcp -screen 0 1280x1100x24 2>@1" r]
while {[gets $chan line] >= 0 && ![string is integer -strict $line]} {}
set env(DISPLAY) :$line
package require Tk
wm withdraw .

proc median {l} { lindex [lsort -real $l] [expr {[llength $l] / 2}] }
# User + system CPU time of this process, in microseconds (clock ticks of 10 ms).
proc cpu_us {} {
    set f [open /proc/self/stat]
    set stat [read $f]
    close $f
    # Fields after the command name in parentheses: utime and stime are 14 and 15.
    set fields [split [string trim [string range $stat [string last ) $stat]+2 end]]]
    expr {([lindex $fields 11] + [lindex $fields 12]) * 10000}
}
# Prints "name median" and "name_cpu mean" for REPS runs of script.
proc timed {name reps script} {
    set t {}
    set c0 [cpu_us]
    for {set i 0} {$i < $reps} {incr i} {
        set t0 [clock microseconds]
        uplevel 1 $script
        lappend t [expr {[clock microseconds] - $t0}]
    }
    puts "$name [median $t]"
    puts "${name}_cpu [expr {([cpu_us] - $c0) / double($reps)}]"
}

set n 512
set vals {}
for {set i 0} {$i < $n * $n * 3} {incr i} { lappend vals [expr {($i * 7919) % 4001 - 1000}] }
set file [file join [pwd] bench-view-[pid].png]
foreach {type fmt} {int16 s* float32 f*} {
    set c [MxCanvas create -width $n -height $n -depth 3 -type $type]
    $c data [binary format $fmt $vals]
    foreach orientation {voxel world} {
        set suffix [expr {$orientation eq "world" ? "_world" : ""}]
        foreach zoom {1 2} {
            set v [mx::view $c -zoom $zoom -window {-500 2500} -colormap hot -orientation $orientation]
            update
            set photo [lindex [set ::mx::view::S_${v}(panes)] 0 1]
            timed render_${type}_z$zoom$suffix $reps {::mx::_render $photo $c -slice 1 -window {-500 2500} -colormap hot -zoom $zoom -orientation $orientation}
            timed refresh_${type}_z$zoom$suffix $reps {$v refresh}
            timed shown_${type}_z$zoom$suffix $reps {$v refresh; update idletasks}
            set i 0
            timed hover_${type}_z$zoom$suffix $reps {::mx::view::Hover $v 0 [expr {[incr i] % 1000}] 300}
            timed window_${type}_z$zoom$suffix $reps {$v configure -window [expr {[incr i] % 2 ? {-400 2400} : {-500 2500}}]}
            $v close
        }
    }
    timed png_$type $reps {$c png $file -slice 1 -window {-500 2500}}
    MxCanvas delete $c
}
file delete $file
puts "reps $reps"
exit
