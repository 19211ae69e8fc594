# mx::exec: run an external program on canvases, the whole MEDx sequence
# (extern, exec, intern, free on error) in one call, with the canvases'
# geometry, voxel type, spacing, affine and scaling handed to the program in
# the environment variable MXCANVAS (docs/mxcanvas-env.md; the text is built
# in Rust by ::mx::_describe, from the same header `$c info` shows).
#
#   mx::exec ?-async? ?-command cmdPrefix? ?-keep? ?--? canvases command ?arg ...?
#   mx::exec cancel id
#
# Rules (README "Running a program: mx::exec", man page):
#   - Every canvas of the list is externed (a -storage shm canvas hands out
#     its own segment, so a viewer with -follow sees the program's writes).
#   - In the command words, %id is the first canvas's shmid, %idN the N-th's
#     (from 0), %w %h %d %t %type the first canvas's width, height, depth,
#     frames and voxel type, %% a literal %. Any other % stays as it is
#     ("50%.nii", "%x" are left alone); to keep a literal "%w" write "%%w".
#     %idN past the end of the list is an error.
#   - The words then go to Tcl's exec (or `open |` with -async), under
#     exec's own rules: its switches (-ignorestderr, -keepnewline, --),
#     redirections and pipelines. A trailing `&` is refused: -async is the
#     way to run in the background.
#   - MXCANVAS is set for the program only: the interpreter's env(MXCANVAS)
#     is put back as it was (or unset) as soon as the program has started.
#   - Exit 0: every canvas is interned and its segment freed; the result is
#     the program's standard output, as exec returns it. With -keep the
#     segments stay held (MxTransports lists them) and the result is the list
#     {output ids}: the output, and the shmids in the order of the canvases.
#   - A non-zero exit, a signal, output on standard error (exec's rule) or a
#     Tcl error: every segment is freed, every canvas is left as it was
#     (a -storage shm canvas, which the program wrote in place, is restored
#     from a copy taken before the run), and the error is raised as exec
#     raises it (its message and -errorcode CHILDSTATUS/CHILDKILLED/NONE).
#   - -async: returns an id (mxexec1, ...) at once; at the end the same
#     intern or free happens and `{*}cmdPrefix code result` is called at
#     global level, code 0 (result as above) or 1 (the error message). An
#     error without -command, or an error of the callback, goes to the
#     interpreter's background error handler.
#   - A canvas that a running -async call holds is refused (MX EXEC BUSY).
#   - `mx::exec cancel id` kills the program (every process of its
#     pipeline, SIGKILL), frees its segments, leaves its canvases as they
#     were, and does not call the callback. An unknown id is an error.
namespace eval ::mx::_exec {
    variable Counter 0
    # id -> dict of the running -async call
    variable Jobs
    array set Jobs {}
}

proc ::mx::exec {args} {
    if {[lindex $args 0] eq "cancel"} {
        if {[llength $args] != 2} {
            return -code error -errorcode {TCL WRONGARGS} {wrong # args: should be "mx::exec cancel id"}
        }
        return [::mx::_exec::Cancel [lindex $args 1]]
    }
    set usage {wrong # args: should be "mx::exec ?-async? ?-command cmdPrefix? ?-keep? ?--? canvases command ?arg ...?"}
    set async 0
    set keep 0
    set callback {}
    set hasCallback 0
    set i 0
    while {$i < [llength $args] && [string match -* [lindex $args $i]]} {
        set option [tcl::prefix match -message option {-async -command -keep --} [lindex $args $i]]
        incr i
        switch -- $option {
            -async { set async 1 }
            -keep { set keep 1 }
            -command {
                if {$i >= [llength $args]} {
                    return -code error -errorcode {TCL WRONGARGS} "missing value for -command: $usage"
                }
                set callback [lindex $args $i]
                set hasCallback 1
                incr i
            }
            -- break
        }
    }
    set rest [lrange $args $i end]
    if {[llength $rest] < 2} {
        return -code error -errorcode {TCL WRONGARGS} $usage
    }
    if {$hasCallback && !$async} {
        return -code error -errorcode {MX EXEC USAGE -command} \
            "-command needs -async: without it mx::exec returns the program's result itself"
    }
    set canvases [lindex $rest 0]
    set words [lrange $rest 1 end]
    set canvases [::mx::_exec::CheckCanvases $canvases]
    if {[lindex $words end] eq "&"} {
        return -code error -errorcode {MX EXEC USAGE &} \
            "a trailing \"&\" would intern the canvases before the program ends: expected mx::exec -async for a program run in the background"
    }
    if {$async} {
        set switches [::mx::_exec::ExecSwitches words]
    }

    # From here on, segments exist: every path frees them or interns them.
    set shm [::mx::_exec::Snapshots $canvases]
    if {[catch {::mx::_exec::ExternAll $canvases} ids opts]} {
        ::mx::_exec::DeleteSnapshots $shm
        dict incr opts -level
        return -options $opts $ids
    }
    set code [catch {
        set geometry [::mx::geometry [lindex $canvases 0]]
        set words [lmap w $words { ::mx::_exec::Subst $w $ids $geometry }]
        set pairs {}
        foreach c $canvases id $ids { lappend pairs $c $id }
        set description [::mx::_describe {*}$pairs]
        if {$async} {
            ::mx::_exec::Start $description $words $switches
        } else {
            ::mx::_exec::WithEnv $description [list ::exec {*}$words]
        }
    } result opts]
    if {$code != 0} {
        ::mx::_exec::Undo $canvases $ids $shm
        dict incr opts -level
        return -options $opts $result
    }
    if {!$async} {
        return [::mx::_exec::Finish $canvases $ids $shm $keep $result]
    }
    lassign $result chan errChan
    set id mxexec[incr ::mx::_exec::Counter]
    set ::mx::_exec::Jobs($id) [dict create chan $chan err $errChan out {} errText {} \
        canvases $canvases ids $ids shm $shm keep $keep callback $callback hasCallback $hasCallback \
        keepnewline [dict get $switches keepnewline] open [expr {$errChan eq "" ? 1 : 2}]]
    fconfigure $chan -blocking 0
    fileevent $chan readable [list ::mx::_exec::Readable $id chan out]
    if {$errChan ne ""} {
        fconfigure $errChan -blocking 0
        fileevent $errChan readable [list ::mx::_exec::Readable $id err errText]
    }
    return $id
}

# The canvases as the global commands they are (resolved as the Mx*
# commands resolve them), each once, at least one.
proc ::mx::_exec::CheckCanvases {canvases} {
    if {[catch {llength $canvases}]} {
        return -code error -errorcode [list MX EXEC CANVASES $canvases] \
            "bad canvas list \"$canvases\": expected a Tcl list of canvas names"
    }
    if {[llength $canvases] == 0} {
        return -code error -errorcode {MX EXEC CANVASES {}} \
            "no canvas given: expected a list of one or more canvas names"
    }
    set seen {}
    foreach c $canvases {
        if {![MxCanvas exists $c]} {
            return -code error -errorcode [list MX LOOKUP CANVAS $c] "canvas \"$c\" does not exist"
        }
        set fq [namespace eval :: [list namespace which -command $c]]
        if {$fq in $seen} {
            return -code error -errorcode [list MX EXEC CANVASES $canvases] \
                "canvas \"$c\" is listed twice: expected each canvas once (its result can be interned only once)"
        }
        lappend seen $fq
    }
    # A canvas that a running -async call holds: two runs on one canvas
    # would intern over each other (and a failure would undo the other's).
    variable Jobs
    foreach id [lsort -dictionary [array names Jobs]] {
        foreach c [dict get $Jobs($id) canvases] {
            set fq [namespace eval :: [list namespace which -command $c]]
            if {$fq ne "" && $fq in $seen} {
                return -code error -errorcode [list MX EXEC BUSY $c $id] \
                    "canvas \"$c\" is in use by the running mx::exec $id: expected it to end first (or mx::exec cancel $id)"
            }
        }
    }
    return $canvases
}

# Copies of the -storage shm canvases, which the program writes in place:
# a failed run puts them back. Returns {canvas copy ...}.
proc ::mx::_exec::Snapshots {canvases} {
    set pairs {}
    foreach c $canvases {
        if {[uplevel #0 [list $c info storage]] eq "shm"} {
            if {[catch {uplevel #0 [list $c copy]} copy opts]} {
                DeleteSnapshots $pairs
                return -options $opts $copy
            }
            lappend pairs $c $copy
        }
    }
    return $pairs
}

proc ::mx::_exec::DeleteSnapshots {pairs} {
    foreach {c copy} $pairs { catch {MxCanvas delete $copy} }
}

proc ::mx::_exec::ExternAll {canvases} {
    set ids {}
    foreach c $canvases {
        if {[catch {MxExternCanvas $c} id opts]} {
            foreach done $ids { catch {MxFreeTransport $done} }
            return -options $opts $id
        }
        lappend ids $id
    }
    return $ids
}

# A failed run: free every segment, put the shm canvases back.
proc ::mx::_exec::Undo {canvases ids shm} {
    foreach id $ids {
        if {$id in [MxTransports]} { catch {MxFreeTransport $id} }
    }
    foreach {c copy} $shm {
        if {[MxCanvas exists $c] && [MxCanvas exists $copy]} {
            # The copy's voxels go back through a transport of the copy
            # (no byte array of the whole canvas in between).
            catch {
                set back [MxExternCanvas $copy]
                MxInternCanvas $c $back
            }
            catch {MxFreeTransport $back}
        }
    }
    DeleteSnapshots $shm
}

# A successful run: intern every canvas (keeping the segments with -keep).
proc ::mx::_exec::Finish {canvases ids shm keep output} {
    # Everything must still be there before anything is interned, so that a
    # canvas deleted meanwhile does not leave the others half done.
    set held [MxTransports]
    foreach c $canvases id $ids {
        if {![MxCanvas exists $c] || $id ni $held} {
            Undo $canvases $ids $shm
            set what [expr {[MxCanvas exists $c] ? "its transport $id was freed" : "it was deleted"}]
            return -code error -errorcode [list MX EXEC GONE $c] \
                "cannot intern canvas \"$c\": $what while the program ran"
        }
    }
    foreach c $canvases id $ids {
        if {[catch {MxInternCanvas $c $id [expr {!$keep}]} msg opts]} {
            Undo $canvases $ids $shm
            dict incr opts -level
            return -options $opts $msg
        }
    }
    DeleteSnapshots $shm
    if {$keep} {
        return [list $output $ids]
    }
    return $output
}

# One command word with %id, %idN, %w, %h, %d, %t, %type and %% replaced.
proc ::mx::_exec::Subst {word ids geometry} {
    if {[string first % $word] < 0} {
        return $word
    }
    lassign $geometry w h d t type
    set out ""
    set start 0
    foreach range [regexp -all -inline -indices {%(?:%|type|id[0-9]*|[whdt])} $word] {
        lassign $range from to
        append out [string range $word $start [expr {$from - 1}]]
        set token [string range $word [expr {$from + 1}] $to]
        switch -glob -- $token {
            % { append out % }
            type { append out $type }
            w { append out $w }
            h { append out $h }
            d { append out $d }
            t { append out $t }
            id { append out [lindex $ids 0] }
            default {
                set n [string range $token 2 end]
                if {[string length $n] > 9 || [scan $n %d n] != 1 || $n >= [llength $ids]} {
                    return -code error -errorcode [list MX EXEC PERCENT %$token] \
                        "bad \"%$token\" in \"$word\": there are [llength $ids] canvases, %id0 to %id[expr {[llength $ids] - 1}] (write %% for a literal %)"
                }
                append out [lindex $ids $n]
            }
        }
        set start [expr {$to + 1}]
    }
    append out [string range $word $start end]
    return $out
}

# Run script with env(MXCANVAS) set to text, then put the variable back.
proc ::mx::_exec::WithEnv {text script} {
    set had [info exists ::env(MXCANVAS)]
    if {$had} {
        set old $::env(MXCANVAS)
    }
    set ::env(MXCANVAS) $text
    set code [catch {uplevel 1 $script} result opts]
    if {$had} {
        set ::env(MXCANVAS) $old
    } else {
        unset -nocomplain ::env(MXCANVAS)
    }
    dict incr opts -level
    return -options $opts $result
}

# exec's leading switches, taken off wordsVar for `open |` (which has none):
# dict keepnewline 0|1 ignorestderr 0|1. Unknown ones are exec's error.
proc ::mx::_exec::ExecSwitches {wordsVar} {
    upvar 1 $wordsVar words
    set switches {keepnewline 0 ignorestderr 0}
    while {[string match -* [lindex $words 0]]} {
        set s [tcl::prefix match -message option {-ignorestderr -keepnewline --} [lindex $words 0]]
        set words [lrange $words 1 end]
        if {$s eq "--"} break
        dict set switches [string range $s 1 end] 1
    }
    if {![llength $words]} {
        return -code error -errorcode {TCL WRONGARGS} \
            {wrong # args: should be "mx::exec ?-async? ... canvases ?-switch ...? command ?arg ...?"}
    }
    return $switches
}

# Start the pipeline for -async: returns {chan errChan}; errChan collects
# standard error as exec would ("" when the words redirect it themselves or
# -ignorestderr lets it through).
proc ::mx::_exec::Start {description words switches} {
    set capture [expr {![dict get $switches ignorestderr]}]
    foreach w $words {
        if {[regexp {^(2>|>>?&)} $w]} { set capture 0 }
    }
    set errR {}
    if {$capture} {
        lassign [chan pipe] errR errW
        lappend words 2>@ $errW
    }
    set code [catch {WithEnv $description [list open |$words r]} chan opts]
    if {$capture} {
        # The child has its own copy of the write end; EOF comes when it exits.
        close $errW
        if {$code} { close $errR }
    }
    if {$code} {
        dict incr opts -level
        return -options $opts $chan
    }
    return [list $chan $errR]
}

proc ::mx::_exec::Readable {id which textKey} {
    variable Jobs
    if {![info exists Jobs($id)]} return
    set chan [dict get $Jobs($id) $which]
    if {[catch {read $chan} data]} {
        set data {}
        set ended 1
    } else {
        set ended [eof $chan]
    }
    dict append Jobs($id) $textKey $data
    if {!$ended} return
    fileevent $chan readable {}
    dict incr Jobs($id) open -1
    if {[dict get $Jobs($id) open] == 0} {
        Ended $id
    }
}

# Both pipes are at their end: collect the exit status as exec would report
# it, intern or undo, then call back.
proc ::mx::_exec::Ended {id} {
    variable Jobs
    set job $Jobs($id)
    unset Jobs($id)
    dict with job {}
    if {$err ne ""} { catch {close $err} }
    fconfigure $chan -blocking 1
    set failed [catch {close $chan} closeMsg closeOpts]
    # exec's message: the output, then standard error; the abnormal-exit
    # text only when nothing came on standard error.
    set text $out$errText
    if {$failed && $errText eq ""} {
        append text $closeMsg
    }
    if {!$keepnewline && [string index $text end] eq "\n"} {
        set text [string range $text 0 end-1]
    }
    if {$failed} {
        set errorcode [dict get $closeOpts -errorcode]
    } elseif {$errText ne ""} {
        set failed 1
        set errorcode NONE
    }
    if {$failed} {
        Undo $canvases $ids $shm
        set code 1
        set result $text
        set opts [list -code error -errorcode $errorcode]
    } else {
        set code [catch {Finish $canvases $ids $shm $keep $text} result opts]
    }
    if {$hasCallback} {
        if {[catch {uplevel #0 [list {*}$callback $code $result]} cbMsg cbOpts]} {
            Background $cbMsg $cbOpts
        }
    } elseif {$code} {
        Background $result $opts
    }
}

proc ::mx::_exec::Background {msg opts} {
    set handler [interp bgerror {}]
    if {[catch {uplevel #0 [list {*}$handler $msg $opts]}]} {
        puts stderr $msg
    }
}

proc ::mx::_exec::Cancel {id} {
    variable Jobs
    if {![info exists Jobs($id)]} {
        set running [lsort -dictionary [array names Jobs]]
        return -code error -errorcode [list MX LOOKUP EXEC $id] \
            "no running mx::exec \"$id\": expected one of the ids -async returned that has not ended ([expr {[llength $running] ? [join $running {, }] : {none runs}}])"
    }
    set job $Jobs($id)
    unset Jobs($id)
    dict with job {}
    fileevent $chan readable {}
    catch {::mx::_kill {*}[pid $chan]}
    if {$err ne ""} { catch {close $err} }
    fconfigure $chan -blocking 1
    # Reaps the killed processes (close waits for them); their status is
    # the cancellation's, not an error of cancel.
    catch {close $chan}
    Undo $canvases $ids $shm
    return
}
