# Peak resident memory of this process (VmHWM of /proc/self/status), in
# bytes: sourced by the memory benchmarks (rss.tcl, loadshm.tcl).
proc hwm {} {
    set f [open /proc/self/status]
    set text [read $f]
    close $f
    regexp {VmHWM:\s+(\d+) kB} $text -> kib
    return [expr {$kib * 1024}]
}
