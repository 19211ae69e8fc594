# Zero-copy transports of a large `-storage shm` canvas, for `make bench`.
#
#     tclsh bench/zerocopy.tcl BYTES
#
# Creates and fills a float32 canvas of BYTES with -storage shm, then times
# single MxExternCanvas and MxInternCanvas ... 1 calls (the target: each
# well under 100 us for 1 GiB, whatever the size). Prints "name value" lines.
package require mxcanvas

lassign $argv bytes
set reps 200
MxCanvas create s -width [expr {$bytes / 4}] -height 1 -storage shm
s fill 1.5
set ext {}
set int {}
for {set i 0} {$i < $reps} {incr i} {
    set t0 [clock microseconds]
    set id [MxExternCanvas s]
    set t1 [clock microseconds]
    MxInternCanvas s $id 1
    set t2 [clock microseconds]
    lappend ext [expr {$t1 - $t0}]
    lappend int [expr {$t2 - $t1}]
}
proc median {l} { lindex [lsort -integer $l] [expr {[llength $l] / 2}] }
proc max {l} { lindex [lsort -integer $l] end }
puts "reps $reps"
puts "extern_median_us [median $ext]"
puts "extern_max_us [max $ext]"
puts "intern_median_us [median $int]"
puts "intern_max_us [max $int]"
s delete
