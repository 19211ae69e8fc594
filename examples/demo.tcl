# The main job, end to end: load a volume, hand it to an external C program
# through shared memory, take the result back, and show what happened —
# numbers, pictures and the kernel's view of the segment.
#
#   TCLLIBPATH=<repo> tclsh examples/demo.tcl ?volume.nii[.gz]|volume.hdr? ?outdir?
#   make demo [VOLUME=path] [DEMO_OUT=dir]
#
# Without a volume it uses examples/data/phantom.nii.gz, a Shepp-Logan head
# phantom the project generates (examples/make-phantom.tcl). The pictures go
# to outdir (default demo-out/): before-*.png, after-*.png, and result.nii.gz.
package require mxcanvas

set here [file dirname [file normalize [info script]]]
source [file join $here formats-demo.tcl]
set mirror [file join $here bin mirror]
lassign $argv path outdir
if {$path eq ""} { set path [::mxdemo::formats::volume] }
if {$outdir eq ""} { set outdir [file join [pwd] demo-out] }

proc section {title} { puts "\n== $title" }
proc voxels {c points} {
    join [lmap p $points { format "(%s)=%s" [join $p ,] [$c get {*}$p] }] "  "
}
proc ipcs_line {id} {
    foreach line [split [exec ipcs -m] \n] {
        if {[lindex $line 1] eq $id} { return $line }
    }
    return "(segment $id: not listed, it is gone)"
}

section "1. load $path"
# The voxels as the file stores them (its own type, unscaled): the program is
# told the type, and every type a file can hold goes through unchanged.
set vol [MxCanvas load $path brain]
set info [$vol info]
dict with info {}
puts "geometry: ${width}x${height}x${depth}x${frames} $type, [dict get $info bytes] bytes, spacing {$spacing}"
if {$scl_slope != 0 && ($scl_slope != 1 || $scl_inter != 0)} {
    puts "scaling:  real value = stored * $scl_slope + $scl_inter (the stored values are what mirror sees)"
}
puts "stats:    [$vol stats]"
# Voxels (x,y,z,t) of the first frame: a series needs all four coordinates.
set probes [list {0 0 0 0} [list [expr {$width/2}] [expr {$height/2}] [expr {$depth/2}] 0] \
                 [list [expr {$width/4}] [expr {$height/2}] [expr {$depth/2}] 0] \
                 [list [expr {$width-1}] [expr {$height-1}] [expr {$depth-1}] 0]]
puts "voxels:   [voxels $vol $probes]"
set stats [$vol stats]
# The phantom's brain is 0-400 in real units (stored 0-800); other volumes:
# their whole range.
set window [expr {[file tail $path] eq "phantom.nii.gz" ? {0 800} : [list [dict get $stats min] [dict get $stats max]]}]
# A window must be finite and not empty (a volume may hold +-Inf, or one value).
set window [lmap v $window { expr {$v == Inf ? 1.7976931348623157e308 : $v == -Inf ? -1.7976931348623157e308 : $v} }]
if {[lindex $window 0] == [lindex $window 1]} { set window [list [lindex $window 0] [expr {[lindex $window 0] + 1}]] }
puts "pictures: [::mxdemo::formats::snapshot $vol $outdir before -window $window]"
set before [$vol copy original]

section "2. MxExternCanvas: copy it into a new shared memory segment"
set id [MxExternCanvas $vol]
puts "shmid $id; transports held: [MxTransports]"
puts "ipcs:     [ipcs_line $id]"

section "3. run the external program: [file tail $mirror] $id [mx::geometry $vol]"
puts "(it shmat()s the segment, checks its size against ${width}x${height}x${depth}x${frames} $type, mirrors"
puts " left-right and negates: v'(x,y,z,t) = [::mxdemo::negation $type {v(width-1-x,y,z,t)}])"
exec $mirror $id {*}[mx::geometry $vol]

section "4. MxInternCanvas $vol $id 1: copy back and free the segment"
MxInternCanvas $vol $id 1
puts "stats:    [$vol stats]"
puts "voxels:   [voxels $vol $probes]"
lassign $window lo hi
set after_window [lsort -real [list [::mxdemo::negate $type $lo] [::mxdemo::negate $type $hi]]]
puts "pictures: [::mxdemo::formats::snapshot $vol $outdir after -window $after_window]"
$vol save [file join $outdir result.nii.gz]
puts "saved:    [file join $outdir result.nii.gz]"

# Check voxels against the expected transform, independently of the program
# (every voxel of volumes up to 4M voxels, an even sample of larger ones).
set zs [expr {$depth * $frames}]
set n [expr {$width * $height * $zs}]
set step [expr {max(1, $n / 4000000)}]
set wrong 0
set checked 0
for {set i 0} {$i < $n} {incr i $step} {
    set x [expr {$i % $width}]
    set rest [expr {$i / $width}]
    set y [expr {$rest % $height}]
    set z [expr {$rest / $height}]
    set t [expr {$z / $depth}]
    set z [expr {$z % $depth}]
    set got [$vol get $x $y $z $t]
    set want [::mxdemo::negate $type [$before get [expr {$width - 1 - $x}] $y $z $t]]
    if {![::mxdemo::same $got $want]} { incr wrong }
    incr checked
}
puts "check:    [expr {$checked - $wrong}] of $checked voxels are exactly [::mxdemo::negation $type {v(width-1-x,y,z)}]"

section "5. the segment is gone"
puts "transports held: \{[MxTransports]\}"
puts "ipcs:     [ipcs_line $id]"
MxCanvas delete $vol $before
if {$wrong} {
    puts stderr "demo: $wrong voxels are wrong"
    exit 1
}
