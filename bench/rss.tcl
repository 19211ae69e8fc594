# Peak memory of MxExternCanvas, for `make bench`: run in a fresh tclsh.
#
#     tclsh bench/rss.tcl heap|shm BYTES
#
# Creates and fills a float32 canvas of BYTES, then reads the process's peak
# resident set (VmHWM in /proc/self/status) before and after MxExternCanvas
# and after MxInternCanvas ... 1. Prints "before N", "extern N", "intern N"
# in bytes. A copy that went through a temporary buffer would show as twice
# the canvas's bytes.
package require mxcanvas

source [file join [file dirname [info script]] hwm.tcl]

lassign $argv storage bytes
# Warm up with a small canvas that takes the same (threaded) path, so that
# the package's code pages, first touched now, are not counted as the copy.
MxCanvas create warm -width 262144 -height 1 -storage $storage
MxInternCanvas warm [MxExternCanvas warm] 1
warm delete
MxCanvas create c -width [expr {$bytes / 4}] -height 1 -storage $storage
c fill 1.5
puts "before [hwm]"
set id [MxExternCanvas c]
puts "extern [hwm]"
MxInternCanvas c $id 1
puts "intern [hwm]"
c delete
