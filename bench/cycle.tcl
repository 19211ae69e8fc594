# The transport cycle from Tcl, for `make bench` (bench/run.py runs it).
#
#     tclsh bench/cycle.tcl copy|zerocopy BYTES SAMPLES INNER
#
# copy      (a) MxExternCanvas + MxInternCanvas ... 1 of an ordinary (heap)
#           float32 canvas: a fresh segment, copied into and back out of.
# zerocopy  (d) the same two commands on a `-storage shm` canvas.
# The canvas is created and filled once (resident, like the C reference's
# buffer). Prints SAMPLES lines, each the mean of INNER cycles in
# nanoseconds, after one untimed warm-up cycle.
package require mxcanvas

lassign $argv variant bytes samples inner
set storage [dict get {copy heap zerocopy shm} $variant]
MxCanvas create c -width [expr {$bytes / 4}] -height 1 -storage $storage
c fill 1.5

proc cycle {n} {
    for {set i 0} {$i < $n} {incr i} {
        set id [MxExternCanvas c]
        MxInternCanvas c $id 1
    }
}
cycle 1
for {set s 0} {$s < $samples} {incr s} {
    set t0 [clock microseconds]
    cycle $inner
    puts [expr {([clock microseconds] - $t0) * 1000 / $inner}]
}
c delete
