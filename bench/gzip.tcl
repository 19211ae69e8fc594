# `make bench` (bench/run.py): one timed .nii.gz load or save in a fresh
# tclsh, printed as "key value" lines.
#   tclsh bench/gzip.tcl load FILE
#   tclsh bench/gzip.tcl save FILE OUT ?LEVEL?    (LEVEL "" = save's default)
package require mxcanvas
lassign $argv op src dst level
if {$op eq "load"} {
    set t [clock microseconds]
    set c [MxCanvas load $src]
    puts "seconds [expr {([clock microseconds] - $t) / 1e6}]"
} else {
    set c [MxCanvas load $src]
    set options [expr {$level eq "" ? {} : [list -compression $level]}]
    set t [clock microseconds]
    $c save $dst {*}$options
    puts "seconds [expr {([clock microseconds] - $t) / 1e6}]"
    puts "bytes [file size $dst]"
}
