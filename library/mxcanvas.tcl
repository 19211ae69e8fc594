# mxcanvas Tcl-level helpers. The Mx* commands are global (as MEDx
# ImageScript calls them); helpers written in Tcl live in ::mx.
namespace eval ::mx {
    namespace export *
}

# mx::geometry canvas
#   The canvas's geometry as the list "WIDTH HEIGHT DEPTH FRAMES TYPE": the
#   arguments that follow the shmid for every example tool of the kit
#   (`tool SHMID WIDTH HEIGHT DEPTH FRAMES TYPE ?options?`; run with no
#   geometry arguments they read MXCANVAS, which mx::exec sets), so a call reads
#       exec $tool $id {*}[mx::geometry $c]
#   (mx::exec spells the same as %id %w %h %d %t %type).
proc ::mx::geometry {canvas} {
    # Look the canvas up by name as the Mx* commands do (not through the
    # caller's command resolution), with the package's own lookup error.
    if {![MxCanvas exists $canvas]} {
        return -code error -errorcode [list MX LOOKUP CANVAS $canvas] \
            "canvas \"$canvas\" does not exist"
    }
    # The canvas command is global whatever namespace the caller is in.
    set info [uplevel #0 [list $canvas info]]
    list [dict get $info width] [dict get $info height] [dict get $info depth] \
        [dict get $info frames] [dict get $info type]
}

# mx::transport idVar canvas body ?freeTransport?
#
#   Hands `canvas` to external programs for the duration of `body`, so that
#   no error can leak a segment or half-update a canvas:
#     1. MxExternCanvas canvas; the shmid goes into idVar (caller's scope);
#     2. body is evaluated in the caller's scope;
#     3. when body completes normally - ok, or `return`, `break`, `continue`,
#        which are ordinary ways for a script to leave a block - the segment
#        is interned back (MxInternCanvas canvas id freeTransport) and the
#        completion code is passed on to the caller (so `return` returns from
#        the caller, `break` leaves the caller's loop). With freeTransport
#        false the transport stays held; release it with MxFreeTransport.
#     4. when body raises an error (an external program exits non-zero or is
#        killed by a signal, a Tcl error...) or any other exceptional code,
#        the segment is freed, the canvas is left exactly as it was, and the
#        error is re-raised with its message, -errorcode and -errorinfo.
#   Calls nest, so a program can take several canvases:
#       mx::transport a $c1 { mx::transport b $c2 { exec tool $a $b } }
#   The body must not intern or free the transport itself; doing so is
#   reported as an error {MX TRANSPORT RELEASED id} (and the canvas is left as
#   the body left it).
#   Returns the body's result.
proc ::mx::transport {idVar canvas body {freeTransport 1}} {
    # Check every argument before a segment exists, so that a bad call
    # leaves nothing behind. `if` parses the boolean with Tcl's own rules
    # (error code TCL VALUE NUMBER).
    if {$freeTransport} {}
    upvar 1 $idVar id
    set shmid [MxExternCanvas $canvas]
    if {[catch {set id $shmid} msg opts]} {
        # idVar cannot be set (e.g. it names an array): nothing else happened.
        MxFreeTransport $shmid
        dict incr opts -level
        return -options $opts $msg
    }
    set code [catch {uplevel 1 $body} result opts]
    if {$code in {0 2 3 4}} {
        if {$shmid ni [MxTransports]} {
            return -code error -errorcode [list MX TRANSPORT RELEASED $shmid] \
                "transport $shmid of canvas \"$canvas\" was interned or freed inside the body of mx::transport: expected the body to leave it to mx::transport"
        }
        if {[catch {MxInternCanvas $canvas $shmid $freeTransport} msg iopts]} {
            # e.g. the body deleted the canvas: do not leak the segment.
            catch {MxFreeTransport $shmid}
            dict incr iopts -level
            return -options $iopts $msg
        }
    } elseif {$shmid in [MxTransports]} {
        MxFreeTransport $shmid
    }
    # Pass the completion on as if the body had run in the caller itself.
    dict incr opts -level
    return -options $opts $result
}

# mx::sweep ?-dryrun? ?-allusers?
#   Remove the segments that mxcanvas processes left behind when they died
#   without running their exit handlers (SIGKILL, a crash): segments with a key
#   in mxcanvas's range 0x4D580000-0x4D58FFFF whose creating process is gone
#   and that no process is attached to. Returns the ids removed (with -dryrun:
#   the ids that would be removed, removing nothing). Only segments owned by
#   this process's effective user are looked at; -allusers (the
#   administrator's cleanup, run as root) takes every user's. Segments of
#   other programs, segments of live mxcanvas processes and segments somebody
#   is attached to are never touched.
proc ::mx::sweep {args} {
    set words {}
    foreach arg $args {
        switch -exact -- $arg {
            -dryrun - -allusers {
                if {$arg in $words} { set words {} ; break }
                lappend words $arg
            }
            default { set words {} ; break }
        }
    }
    if {[llength $words] != [llength $args]} {
        return -code error -errorcode {TCL WRONGARGS} \
            {wrong # args: should be "mx::sweep ?-dryrun? ?-allusers?"}
    }
    set call [list ::mx::_orphans]
    if {"-dryrun" ni $args} { lappend call -remove }
    if {"-allusers" in $args} { lappend call -allusers }
    return [{*}$call]
}
