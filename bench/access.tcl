# Voxel access from scripts, for `make bench` (bench/run.py runs it).
#
#     tclsh bench/access.tcl
#
# Prints "name value" lines:
# * per-voxel costs in ns of `$c get`/`$c set` and of `lindex`/`lset` on a
#   list of the same length, each inside the same compiled loop:
#     flat    a 1-D canvas of N voxels vs a flat list of N: `$c get $i 0`
#             vs `lindex $l $i`;
#     volume  a W x H x D canvas vs the nested list a script would keep for
#             the same volume: `$c get $x $y $z` vs `lindex $v $z $y $x`;
#   plus the cost of the empty loop and of a no-op package command
#   (MxTransports), the floor of any command that Tcl does not compile;
# * bulk operations on a 64 MiB canvas in GB/s: `$c data` (read),
#   `$c data BYTES` (write), `$c fill`, and region get/set in ns per
#   voxel on a 1M-voxel region.
package require mxcanvas

proc best {script {reps 5}} {
    # the fastest of a few runs: the least disturbed by other load
    set best Inf
    for {set r 0} {$r < $reps} {incr r} {
        set t [lindex [uplevel 1 [list time $script 1]] 0]
        if {$t < $best} { set best $t }
    }
    return $best
}

set W 64; set H 64; set D 16
set N [expr {$W * $H * $D}]

MxCanvas create flat -width $N -height 1
MxCanvas create vol -width $W -height $H -depth $D
set flatlist [lrepeat $N 0.0]
set vollist [lrepeat $D [lrepeat $H [lrepeat $W 0.0]]]

proc loop_empty {n} { for {set i 0} {$i < $n} {incr i} {} }
proc loop_noop {n} { for {set i 0} {$i < $n} {incr i} { MxTransports } }
proc flat_lindex {l n} { for {set i 0} {$i < $n} {incr i} { lindex $l $i } }
proc flat_get {c n} { for {set i 0} {$i < $n} {incr i} { $c get $i 0 } }
proc flat_lset {l n} { for {set i 0} {$i < $n} {incr i} { lset l $i 1.0 } }
proc flat_set {c n} { for {set i 0} {$i < $n} {incr i} { $c set $i 0 1.0 } }
proc vol_lindex {v W H D} {
    for {set z 0} {$z < $D} {incr z} { for {set y 0} {$y < $H} {incr y} { for {set x 0} {$x < $W} {incr x} {
        lindex $v $z $y $x
    } } }
}
proc vol_get {c W H D} {
    for {set z 0} {$z < $D} {incr z} { for {set y 0} {$y < $H} {incr y} { for {set x 0} {$x < $W} {incr x} {
        $c get $x $y $z
    } } }
}
proc vol_lset {v W H D} {
    for {set z 0} {$z < $D} {incr z} { for {set y 0} {$y < $H} {incr y} { for {set x 0} {$x < $W} {incr x} {
        lset v $z $y $x 1.0
    } } }
}
proc vol_set {c W H D} {
    for {set z 0} {$z < $D} {incr z} { for {set y 0} {$y < $H} {incr y} { for {set x 0} {$x < $W} {incr x} {
        $c set $x $y $z 1.0
    } } }
}

proc per_voxel {us} { expr {$us * 1000.0 / $::N} }
puts "voxels $N"
puts "loop_empty_ns [per_voxel [best {loop_empty $N}]]"
puts "noop_command_ns [per_voxel [best {loop_noop $N}]]"
puts "flat_lindex_ns [per_voxel [best {flat_lindex $flatlist $N}]]"
puts "flat_get_ns [per_voxel [best {flat_get flat $N}]]"
puts "flat_lset_ns [per_voxel [best {flat_lset $flatlist $N}]]"
puts "flat_set_ns [per_voxel [best {flat_set flat $N}]]"
puts "volume_lindex_ns [per_voxel [best {vol_lindex $vollist $W $H $D}]]"
puts "volume_get_ns [per_voxel [best {vol_get vol $W $H $D}]]"
puts "volume_lset_ns [per_voxel [best {vol_lset $vollist $W $H $D}]]"
puts "volume_set_ns [per_voxel [best {vol_set vol $W $H $D}]]"

# Bulk operations on 64 MiB.
set bytes [expr {64 << 20}]
MxCanvas create big -width [expr {$bytes / 4}] -height 1
big fill 1.0
proc gbps {us} { expr {$::bytes / ($us * 1000.0)} }
puts "data_read_gbps [gbps [best {set d [big data]; unset d}]]"
set d [big data]
puts "data_write_gbps [gbps [best {big data $d}]]"
unset d
puts "fill_gbps [gbps [best {big fill 2.5}]]"
set side 1024
set region [big region get 0 0 $side 1]
puts "region_voxels [expr {$side * 1}]"
MxCanvas create sq -width 1024 -height 1024
sq fill 3.0
set r [sq region get 0 0 1024 1024]
puts "getregion_ns_per_voxel [expr {[best {sq region get 0 0 1024 1024}] * 1000.0 / (1024 * 1024)}]"
puts "setregion_ns_per_voxel [expr {[best {sq region set 0 0 1024 1024 $r}] * 1000.0 / (1024 * 1024)}]"
puts "lrange_ns_per_element [expr {[best {lrange $r 0 end-1}] * 1000.0 / (1024 * 1024)}]"
