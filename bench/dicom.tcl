# `make bench` (bench/run.py): one timed DICOM series load in a fresh tclsh,
# printed as "key value" lines.
#   tclsh bench/dicom.tcl DIR
package require mxcanvas
set t [clock microseconds]
set c [MxCanvas load [lindex $argv 0]]
puts "seconds [expr {([clock microseconds] - $t) / 1e6}]"
puts "depth [dict get [$c info] depth]"
