# Peak memory of `MxCanvas load ... -storage shm`, for `make bench`.
#
#     tclsh bench/loadshm.tcl make FILE BYTES
#         Write a float32 volume of BYTES (1024 x 1024 x BYTES/4 MiB) of random
#         bytes to FILE (.nii or .nii.gz), in its own process.
#     tclsh bench/loadshm.tcl load FILE heap|shm
#         In a fresh tclsh, load FILE with -storage heap|shm and print
#         "bytes N", "before N" (peak RSS before the load), "after N" (peak
#         RSS after it), "seconds S", "storage KIND".
#
# Peak RSS is VmHWM from /proc/self/status. It counts the segment's pages
# this process touched (RssShmem) as well as heap pages; the page cache a
# read() copies from is not mapped, so is not counted. A load that went
# through a temporary buffer would show as twice the volume's bytes.
package require mxcanvas

source [file join [file dirname [info script]] hwm.tcl]

lassign $argv what file arg
switch -- $what {
    make {
        set depth [expr {$arg / (4 * 1024 * 1024)}]
        MxCanvas create c -width 1024 -height 1024 -depth $depth -storage shm
        # Random bytes: a compressed file as large as the volume, the worst
        # case for a load that would buffer the compressed file.
        set f [open /dev/urandom rb]
        c data [read $f $arg]
        close $f
        c save $file
        c delete
    }
    load {
        # Warm up: the package's code and a small load's paths are touched
        # before the peak is read, so they do not count as the load's.
        MxCanvas create w -width 64 -height 64 -storage $arg
        w save $file.warm.nii
        [MxCanvas load $file.warm.nii -storage $arg] delete
        file delete $file.warm.nii
        w delete
        set before [hwm]
        set t0 [clock microseconds]
        set c [MxCanvas load $file -storage $arg]
        set t1 [clock microseconds]
        puts "bytes [dict get [$c info] bytes]"
        puts "before $before"
        puts "after [hwm]"
        puts "seconds [expr {($t1 - $t0) / 1e6}]"
        puts "storage [dict get [$c info] storage]"
    }
}
