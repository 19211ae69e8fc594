# mxcanvas Tcl-level helpers. The Mx* commands are global (as MEDx
# ImageScript calls them); helpers written in Tcl live in ::mx.
namespace eval ::mx {
    namespace export *
}

# mx::sweep ?-dryrun?
#   Remove the segments that mxcanvas processes left behind when they died
#   without running their exit handlers (SIGKILL, a crash): segments with a key
#   in mxcanvas's range 0x4D580000-0x4D58FFFF whose creating process is gone
#   and that no process is attached to. Returns the ids removed (with -dryrun:
#   the ids that would be removed, removing nothing). Segments of other
#   programs, segments of live mxcanvas processes and segments somebody is
#   attached to are never touched; another user's orphans are skipped unless
#   the kernel lets this process remove them (root).
proc ::mx::sweep {args} {
    if {[llength $args] > 1 || ([llength $args] == 1 && [lindex $args 0] ne "-dryrun")} {
        return -code error -errorcode {TCL WRONGARGS} \
            {wrong # args: should be "mx::sweep ?-dryrun?"}
    }
    if {[llength $args]} {
        return [::mx::_orphans]
    }
    return [::mx::_orphans -remove]
}
