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
    join [lmap p $points { format "(%s)=%g" [join $p ,] [$c get {*}$p] }] "  "
}
proc ipcs_line {id} {
    foreach line [split [exec ipcs -m] \n] {
        if {[lindex $line 1] eq $id} { return $line }
    }
    return "(segment $id: not listed, it is gone)"
}

section "1. load $path"
# -scaled 1: float32 voxels in the volume's real units (what mirror takes).
set vol [MxCanvas load $path brain -scaled 1]
set info [$vol info]
dict with info {}
puts "geometry: ${width}x${height}x${depth}x${frames} $type, [dict get $info bytes] bytes, spacing {$spacing}"
puts "stats:    [$vol stats]"
set probes [list {0 0 0} [list [expr {$width/2}] [expr {$height/2}] [expr {$depth/2}]] \
                 [list [expr {$width/4}] [expr {$height/2}] [expr {$depth/2}]] \
                 [list [expr {$width-1}] [expr {$height-1}] [expr {$depth-1}]]]
puts "voxels:   [voxels $vol $probes]"
set stats [$vol stats]
set window [expr {[file tail $path] eq "phantom.nii.gz" ? {0 400} : [list [dict get $stats min] [dict get $stats max]]}]
puts "pictures: [::mxdemo::formats::snapshot $vol $outdir before -window $window]"
set before [$vol copy original]

section "2. MxExternCanvas: copy it into a new shared memory segment"
set id [MxExternCanvas $vol]
puts "shmid $id; transports held: [MxTransports]"
puts "ipcs:     [ipcs_line $id]"

# A 4-D series is frames volumes one after another: mirror sees one tall volume.
set zs [expr {$depth * $frames}]
section "3. run the external program: [file tail $mirror] $id $width $height $zs"
puts "(it shmat()s the segment, mirrors left-right and negates: v'(x,y,z) = -v(width-1-x,y,z))"
exec $mirror $id $width $height $zs

section "4. MxInternCanvas $vol $id 1: copy back and free the segment"
MxInternCanvas $vol $id 1
puts "stats:    [$vol stats]"
puts "voxels:   [voxels $vol $probes]"
lassign $window lo hi
puts "pictures: [::mxdemo::formats::snapshot $vol $outdir after -window [list [expr {-$hi}] [expr {-$lo}]]]"
$vol save [file join $outdir result.nii.gz]
puts "saved:    [file join $outdir result.nii.gz]"

# Check voxels against the expected transform, independently of the program
# (every voxel of volumes up to 4M voxels, an even sample of larger ones).
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
    if {[$vol get $x $y $z $t] != -[$before get [expr {$width - 1 - $x}] $y $z $t]} { incr wrong }
    incr checked
}
puts "check:    [expr {$checked - $wrong}] of $checked voxels are exactly -v(width-1-x,y,z)"

section "5. the segment is gone"
puts "transports held: \{[MxTransports]\}"
puts "ipcs:     [ipcs_line $id]"
MxCanvas delete $vol $before
if {$wrong} {
    puts stderr "demo: $wrong voxels are wrong"
    exit 1
}
