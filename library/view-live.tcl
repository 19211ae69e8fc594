# mx::view, the live half: redraw open viewers when their canvas changes.
#
# Every command that changes a canvas's voxels is a call of the canvas's own
# command (set, fill, data BYTES, region set) or MxInternCanvas. Execution
# traces on exactly those commands, added while a viewer shows the canvas
# (as base or overlay) and removed with the last such viewer, schedule one
# idle redraw per viewer: many changes, one redraw, and no cost at all for
# canvases nobody views. A command trace closes the viewers of a deleted
# canvas (and drops a deleted overlay) and follows renames. Changes made by
# external programs to a -storage shm canvas are seen by `$v refresh` or
# by polling with -follow ms.
namespace eval ::mx::view {
    # canvas (fully qualified) -> viewers showing it
    variable Watched
    array set Watched {}
    variable Changing {fill set}
    # The canvas command's subcommands (tests/view.test checks them against it).
    variable CanvasSubcommands {cget configure copy data delete fill get info montage photo png region save set stats}
}

# Make the traces match the canvases viewer $v shows now.
proc ::mx::view::Watch {v} {
    upvar #0 ::mx::view::S_$v S
    set want [lsort -unique [lsearch -all -inline -not [list $S(canvas) [dict get $S(opts) -overlay]] {}]]
    set have [expr {[info exists S(watching)] ? $S(watching) : {}}]
    foreach fq $have { if {$fq ni $want} { Unwatch1 $v $fq } }
    foreach fq $want { if {$fq ni $have} { Watch1 $v $fq } }
    set S(watching) $want
}

proc ::mx::view::Unwatch {v} {
    upvar #0 ::mx::view::S_$v S
    if {![info exists S(watching)]} { return }
    foreach fq $S(watching) { Unwatch1 $v $fq }
    set S(watching) {}
}

proc ::mx::view::Watch1 {v fq} {
    variable Watched
    if {![array size Watched]} {
        trace add execution ::MxInternCanvas leave ::mx::view::Interned
    }
    if {![info exists Watched($fq)]} {
        trace add execution $fq leave [list ::mx::view::Executed $fq]
        trace add command $fq {rename delete} [list ::mx::view::CanvasCommand $fq]
    }
    lappend Watched($fq) $v
}

proc ::mx::view::Unwatch1 {v fq} {
    variable Watched
    if {![info exists Watched($fq)]} { return }
    set Watched($fq) [lsearch -all -inline -not -exact $Watched($fq) $v]
    if {[llength $Watched($fq)]} { return }
    unset Watched($fq)
    if {[info commands $fq] ne ""} {
        trace remove execution $fq leave [list ::mx::view::Executed $fq]
        trace remove command $fq {rename delete} [list ::mx::view::CanvasCommand $fq]
    }
    if {![array size Watched]} {
        trace remove execution ::MxInternCanvas leave ::mx::view::Interned
    }
}

# After a call of a viewed canvas's command: redraw if it changed voxels.
proc ::mx::view::Executed {fq cmd code result op} {
    variable CanvasSubcommands
    if {$code != 0} { return }
    set sub [tcl::prefix match -error {} $CanvasSubcommands [lindex $cmd 1]]
    if {$sub in {fill set}
        || ($sub eq "data" && [llength $cmd] > 2)
        || ($sub eq "region" && [string match s* [lindex $cmd 2]])} {
        Changed $fq
    }
}

# After MxInternCanvas: its result is the canvas's name, as given.
proc ::mx::view::Interned {cmd code result op} {
    variable Watched
    if {$code != 0} { return }
    foreach fq [list $result ::[string trimleft $result :]] {
        if {[info exists Watched($fq)]} {
            Changed $fq
            return
        }
    }
}

proc ::mx::view::Changed {fq} {
    variable Watched
    foreach v $Watched($fq) { Schedule $v }
}

# A viewed canvas was renamed or deleted.
proc ::mx::view::CanvasCommand {fq old new op} {
    variable Watched
    if {![info exists Watched($fq)]} { return }
    set viewers $Watched($fq)
    if {$op eq "delete"} {
        unset Watched($fq)
        foreach v $viewers {
            upvar #0 ::mx::view::S_$v S
            if {![info exists S(canvas)]} { continue }
            set S(watching) [lsearch -all -inline -not -exact $S(watching) $fq]
            if {$S(canvas) eq $fq} {
                Close $v
            } else {
                # Only the overlay went: show the canvas without it.
                dict set S(opts) -overlay {}
                Schedule $v
            }
        }
        if {![array size Watched]} {
            trace remove execution ::MxInternCanvas leave ::mx::view::Interned
        }
        return
    }
    # Rename: the traces stay on the command; key them by the new name.
    set new [uplevel #0 [list namespace which -command $new]]
    trace remove execution $new leave [list ::mx::view::Executed $fq]
    trace remove command $new {rename delete} [list ::mx::view::CanvasCommand $fq]
    trace add execution $new leave [list ::mx::view::Executed $new]
    trace add command $new {rename delete} [list ::mx::view::CanvasCommand $new]
    unset Watched($fq)
    set Watched($new) $viewers
    foreach v $viewers {
        upvar #0 ::mx::view::S_$v S
        if {$S(canvas) eq $fq} { set S(canvas) $new }
        if {[dict get $S(opts) -overlay] eq $fq} { dict set S(opts) -overlay $new }
        set S(watching) [lmap w $S(watching) { expr {$w eq $fq ? $new : $w} }]
    }
}

# -follow ms: redraw every ms milliseconds (a program writes the segment).
proc ::mx::view::Follow {v} {
    upvar #0 ::mx::view::S_$v S
    after cancel $S(follow)
    set S(follow) {}
    set ms [dict get $S(opts) -follow]
    if {$ms > 0} { set S(follow) [after $ms [list ::mx::view::FollowTick $v]] }
}

proc ::mx::view::FollowTick {v} {
    upvar #0 ::mx::view::S_$v S
    if {![info exists S(win)] || $S(closing)} { return }
    set S(follow) {}
    Redraw $v
    Follow $v
}
