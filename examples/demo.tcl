# The main job, end to end: make a volume, hand it to an external C program
# through shared memory, take the result back, and show what happened.
#
#   TCLLIBPATH=<repo> tclsh examples/demo.tcl      (what `make demo` runs)
package require mxcanvas

set here [file dirname [file normalize [info script]]]
set mirror [file join $here bin mirror]
lassign {64 48 16} W H D

proc section {title} { puts "\n== $title" }
proc voxels {c points} {
    join [lmap p $points { format "(%s)=%g" [join $p ,] [$c get {*}$p] }] "  "
}
proc ipcs_line {id} {
    foreach line [split [exec ipcs -m] \n] {
        if {[lindex $line 1] eq $id} { return $line }
    }
    return "(segment $id: not listed, it is gone)"
}

# A recognisable volume: a bright ball left of centre on a gradient in x.
section "1. create a ${W}x${H}x${D} float32 volume"
set vol [MxCanvas create brain -width $W -height $H -depth $D -type float32]
set values {}
for {set z 0} {$z < $D} {incr z} {
    for {set y 0} {$y < $H} {incr y} {
        for {set x 0} {$x < $W} {incr x} {
            set r2 [expr {($x-20)**2 + ($y-24)**2 + 4*($z-8)**2}]
            lappend values [expr {$x + ($r2 < 100 ? 1000.0 : 0.0)}]
        }
    }
}
$vol data [binary format f* $values]
set probes {{0 0 0} {20 24 8} {43 24 8} {63 47 15}}
puts "info:   [$vol info]"
puts "stats:  [$vol stats]"
puts "voxels: [voxels $vol $probes]"
set before [$vol data]

section "2. MxExternCanvas: copy it into a new shared memory segment"
set id [MxExternCanvas $vol]
puts "shmid $id; transports held: [MxTransports]"
puts "ipcs:   [ipcs_line $id]"

section "3. run the external program: $mirror $id $W $H $D"
puts "(it shmat()s the segment, mirrors left-right and negates: v'(x,y,z) = -v(W-1-x,y,z))"
exec $mirror $id $W $H $D

section "4. MxInternCanvas $vol $id 1: copy back and free the segment"
MxInternCanvas $vol $id 1
puts "info:   [$vol info]"
puts "stats:  [$vol stats]"
puts "voxels: [voxels $vol $probes]"

# Check every voxel against the expected transform, independently of the program.
binary scan $before f* old
binary scan [$vol data] f* new
set wrong 0
for {set i 0} {$i < [llength $old]} {incr i} {
    set x [expr {$i % $W}]
    set j [expr {$i - $x + ($W - 1 - $x)}]
    if {[lindex $new $i] != -[lindex $old $j]} { incr wrong }
}
puts "check:  [expr {[llength $old] - $wrong}] of [llength $old] voxels are exactly -v(W-1-x,y,z)"

section "5. the segment is gone"
puts "transports held: \{[MxTransports]\}"
puts "ipcs:   [ipcs_line $id]"
$vol delete
if {$wrong} {
    puts stderr "demo: $wrong voxels are wrong"
    exit 1
}
