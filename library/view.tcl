# mx::view: an interactive Tk viewer for canvases (a Tk megawidget).
#
#     mx::view canvas ?-option value ...?    -> the viewer's name, a command
#
# The slices are drawn in Rust (::mx::_render: window, colormap, overlay,
# zoom) straight into Tk photo images with one Tk_PhotoPutBlock each; this
# file builds the widgets, keeps the options and the crosshair, binds the
# mouse and keys, and redraws when the canvas changes (view-live.tcl); view-ui.tcl has the
# interaction. Tk is
# loaded only when a viewer is opened: the package itself never needs it.
namespace eval ::mx::view {
    variable counter 0
    # option -> {default creationOnly}; -slice is the crosshair's coordinate
    # along -axis and is kept with the crosshair, not here.
    variable Specs {
        -alpha {0.5 0} -axis {z 0} -colormap {grey 0} -flip {0 0} -follow {0 0}
        -frame {0 0} -layout {single 1} -overlay {{} 0} -overlaycolormap {labels 0}
        -overlaywindow {{} 0} -parent {{} 1} -slice {{} 0} -window {{} 0} -zoom {{} 0}
    }
    variable Subcommands {cget close configure cursor path refresh snapshot}
    # Axis letter -> index into the crosshair {x y z}.
    variable AxisIndex {x 0 y 1 z 2}
}

proc ::mx::view::OptionNames {} {
    variable Specs
    lsort [dict keys $Specs]
}

# mx::view canvas ?-option value ...?
proc ::mx::view {canvas args} {
    if {[catch {package require Tk 8.6-} msg]} {
        return -code error -errorcode {MX TK MISSING} \
            "cannot open a viewer of \"$canvas\": Tk is not available ($msg)"
    }
    if {![MxCanvas exists $canvas]} {
        return -code error -errorcode [list MX LOOKUP CANVAS $canvas] "canvas \"$canvas\" does not exist"
    }
    if {[llength $args] % 2} {
        return -code error -errorcode {TCL WRONGARGS} \
            "wrong # args: should be \"mx::view canvas ?-option value ...?\""
    }
    variable view::counter
    while {[info commands ::mxview[incr counter]] ne ""} {}
    set v mxview$counter
    view::Open $v [uplevel #0 [list namespace which -command $canvas]] $args
    return $v
}

# Open viewer $v of canvas $fq (fully qualified) with options $argList.
proc ::mx::view::Open {v fq argList} {
    variable Specs
    upvar #0 ::mx::view::S_$v S
    array set S {pending {} follow {} closing 0 panes {}}
    set S(canvas) $fq
    set info [$fq info]
    foreach k {width height depth frames type} { set S($k) [dict get $info $k] }
    set S(opts) [dict create]
    dict for {name spec} $Specs { dict set S(opts) $name [lindex $spec 0] }
    set S(cursor) [list [expr {$S(width) / 2}] [expr {$S(height) / 2}] [expr {$S(depth) / 2}]]
    # Creation-only options first: they decide the widgets.
    set rest {}
    foreach {name value} $argList {
        set name [tcl::prefix match -message option [OptionNames] $name]
        if {$name eq "-layout"} {
            dict set S(opts) -layout [tcl::prefix match -message layout {ortho single} $value]
        } elseif {$name eq "-parent"} {
            if {$value ne "" && ![winfo exists $value]} {
                unset S
                return -code error -errorcode [list MX VIEW PARENT $value] \
                    "bad -parent \"$value\": expected an existing Tk window"
            }
            dict set S(opts) -parent $value
        } else {
            lappend rest $name $value
        }
    }
    set axes [expr {[dict get $S(opts) -layout] eq "ortho" ? {z y x} : {z}}]
    foreach axis $axes {
        lappend S(panes) [list $axis [image create photo ::mx::view::$v.photo[llength $S(panes)]]]
    }
    if {[dict get $S(opts) -zoom] eq ""} { dict set S(opts) -zoom [FitZoom $v] }
    if {[catch {Configure $v {*}$rest} msg opts]} {
        foreach pane $S(panes) { image delete [lindex $pane 1] }
        unset S
        return -options $opts $msg
    }
    Build $v
    Watch $v
    Follow $v
    interp alias {} ::$v {} ::mx::view::Dispatch $v
    trace add command ::$v delete [list ::mx::view::CommandDeleted $v]
}

# The largest zoom at which the panes fill at most 80% of the screen's
# width and 70% of its height (at least 1).
proc ::mx::view::FitZoom {v} {
    upvar #0 ::mx::view::S_$v S
    set wide 0
    set high 1
    foreach pane $S(panes) {
        lassign [PlaneSize $v [lindex $pane 0]] w h
        incr wide $w
        set high [expr {max($high, $h)}]
    }
    set k [expr {min(int(0.8 * [winfo screenwidth .] / $wide), int(0.7 * [winfo screenheight .] / $high))}]
    expr {max(1, $k)}
}

# Columns and rows of a slice along $axis (layout of src/formats/slices/mod.rs).
proc ::mx::view::PlaneSize {v axis} {
    upvar #0 ::mx::view::S_$v S
    switch -- $axis {
        z { list $S(width) $S(height) }
        y { list $S(width) $S(depth) }
        x { list $S(height) $S(depth) }
    }
}

# Build the widgets: one image area per pane, the slice and frame scales,
# the status line.
proc ::mx::view::Build {v} {
    upvar #0 ::mx::view::S_$v S
    set parent [dict get $S(opts) -parent]
    if {$parent eq ""} {
        set w .$v
        toplevel $w
        wm title $w "mx::view [string trimleft $S(canvas) :]"
        wm protocol $w WM_DELETE_WINDOW [list ::mx::view::Dispatch $v close]
    } else {
        set w [expr {$parent eq "." ? "" : $parent}].$v
        frame $w
        pack $w -fill both -expand 1
    }
    set S(win) $w
    frame $w.panes -background black
    set i 0
    foreach pane $S(panes) {
        set c $w.panes.image$i
        canvas $c -highlightthickness 0 -borderwidth 0 -background black
        $c create image 0 0 -anchor nw -image [lindex $pane 1]
        $c create line 0 0 0 0 -fill yellow -tags {cross col}
        $c create line 0 0 0 0 -fill yellow -tags {cross row}
        grid $c -row 0 -column $i -padx 1 -sticky nw
        Bindings $v $c $i
        incr i
    }
    pack $w.panes -side top -anchor nw
    scale $w.slice -orient horizontal -label slice -showvalue 1 \
        -command [list ::mx::view::ScaleMoved $v -slice]
    scale $w.frame -orient horizontal -label frame -showvalue 1 -from 0 -to [expr {$S(frames) - 1}] \
        -command [list ::mx::view::ScaleMoved $v -frame]
    label $w.status -anchor w -font TkFixedFont
    pack $w.slice $w.frame $w.status -side top -fill x
    if {$S(frames) == 1} { $w.frame configure -state disabled }
    bind $w <Destroy> [list ::mx::view::Destroyed $v %W]
    focus $w.panes.image0
    Decorate $v
}

# Mouse and keys on pane $i's image area $c.
proc ::mx::view::Bindings {v c i} {
    bind $c <ButtonPress-1> [list ::mx::view::Click $v $i %x %y]
    bind $c <B1-Motion> [list ::mx::view::Click $v $i %x %y]
    bind $c <ButtonPress-3> [list ::mx::view::LevelStart $v %x %y]
    bind $c <B3-Motion> [list ::mx::view::LevelMove $v %x %y]
    bind $c <Button-4> [list ::mx::view::Step $v 1]
    bind $c <Button-5> [list ::mx::view::Step $v -1]
    bind $c <MouseWheel> [list ::mx::view::Step $v %D]
    foreach {key step} {Up 1 Right 1 Down -1 Left -1 Prior 10 Next -10} {
        bind $c <Key-$key> [list ::mx::view::Step $v $step]
    }
    foreach axis {x y z} {
        bind $c <Key-$axis> [list ::mx::view::Dispatch $v configure -axis $axis]
    }
}

# The viewer command.
proc ::mx::view::Dispatch {v args} {
    variable Subcommands
    upvar #0 ::mx::view::S_$v S
    if {![llength $args]} {
        return -code error -errorcode {TCL WRONGARGS} "wrong # args: should be \"$v subcommand ?arg ...?\""
    }
    set sub [tcl::prefix match -message subcommand $Subcommands [lindex $args 0]]
    set rest [lrange $args 1 end]
    switch -- $sub {
        cget {
            if {[llength $rest] != 1} {
                return -code error -errorcode {TCL WRONGARGS} "wrong # args: should be \"$v cget option\""
            }
            Cget $v [tcl::prefix match -message option [OptionNames] [lindex $rest 0]]
        }
        configure {
            if {[llength $rest] == 0} {
                set out {}
                foreach name [OptionNames] { lappend out [ConfigureInfo $v $name] }
                return $out
            }
            if {[llength $rest] == 1} {
                return [ConfigureInfo $v [tcl::prefix match -message option [OptionNames] [lindex $rest 0]]]
            }
            if {[llength $rest] % 2} {
                return -code error -errorcode {TCL WRONGARGS} \
                    "wrong # args: should be \"$v configure ?-option value ...?\""
            }
            Configure $v {*}$rest
            Decorate $v
        }
        cursor { Cursor $v $rest }
        close {
            if {[llength $rest]} {
                return -code error -errorcode {TCL WRONGARGS} "wrong # args: should be \"$v close\""
            }
            Close $v
        }
        path { return $S(win) }
        refresh {
            if {[llength $rest]} {
                return -code error -errorcode {TCL WRONGARGS} "wrong # args: should be \"$v refresh\""
            }
            Redraw $v
        }
        snapshot {
            if {[llength $rest] != 1} {
                return -code error -errorcode {TCL WRONGARGS} "wrong # args: should be \"$v snapshot file\""
            }
            Snapshot $v [lindex $rest 0]
        }
    }
}

# {-option dbName dbClass default value}, as Tk's configure reports it.
proc ::mx::view::ConfigureInfo {v name} {
    variable Specs
    set db [string range $name 1 end]
    list $name $db [string totitle $db] [lindex [dict get $Specs $name] 0] [Cget $v $name]
}

proc ::mx::view::Cget {v name} {
    variable AxisIndex
    upvar #0 ::mx::view::S_$v S
    if {$name eq "-slice"} {
        return [lindex $S(cursor) [dict get $AxisIndex [dict get $S(opts) -axis]]]
    }
    dict get $S(opts) $name
}

# Set options: each value is checked (most by ::mx::_render, which draws
# with the new set); when any is wrong nothing changes.
proc ::mx::view::Configure {v args} {
    variable Specs
    variable AxisIndex
    upvar #0 ::mx::view::S_$v S
    set opts $S(opts)
    set cursor $S(cursor)
    set slice ""
    foreach {name value} $args {
        set name [tcl::prefix match -message option [OptionNames] $name]
        if {[lindex [dict get $Specs $name] 1] && [info exists S(win)]} {
            return -code error -errorcode [list MX VIEW READONLY $name] \
                "cannot change $name of a viewer that is open: it is set when the viewer is created"
        }
        switch -- $name {
            -axis { set value [tcl::prefix match -message axis {x y z} $value] }
            -colormap - -overlaycolormap {
                set value [tcl::prefix match -message colormap {grey hot labels} $value]
            }
            -follow {
                if {![string is entier -strict $value] || $value < 0} {
                    return -code error -errorcode [list MX VIEW BADVALUE -follow $value] \
                        "bad -follow \"$value\": expected a number of milliseconds, 0 for off"
                }
                set value [expr {$value}]
                if {$value > 0 && [dict get [$S(canvas) info] storage] ne "shm"} {
                    return -code error -errorcode [list MX VIEW FOLLOW $S(canvas)] \
                        "cannot follow canvas \"[string trimleft $S(canvas) :]\": -follow watches a -storage shm canvas"
                }
            }
            -overlay {
                if {$value ne ""} {
                    if {![MxCanvas exists $value]} {
                        return -code error -errorcode [list MX LOOKUP CANVAS $value] \
                            "canvas \"$value\" does not exist"
                    }
                    set value [uplevel #0 [list namespace which -command $value]]
                }
            }
            -slice {
                set slice $value
                continue
            }
        }
        dict set opts $name $value
    }
    if {$slice ne ""} {
        if {![string is entier -strict $slice]} {
            return -code error -errorcode [list MX VIEW BADVALUE -slice $slice] \
                "bad -slice \"$slice\": expected an integer"
        }
        lset cursor [dict get $AxisIndex [dict get $opts -axis]] $slice
    }
    set old [list $S(opts) $S(cursor)]
    lassign [list $opts $cursor] S(opts) S(cursor)
    if {[catch {Redraw $v} msg ropts]} {
        lassign $old S(opts) S(cursor)
        catch {Redraw $v}
        return -options $ropts $msg
    }
    if {[lindex $old 0] ne $S(opts) && [info exists S(win)]} {
        Watch $v
        Follow $v
    }
    return
}

# Draw every pane now, from the canvas's current voxels.
proc ::mx::view::Redraw {v} {
    variable AxisIndex
    upvar #0 ::mx::view::S_$v S
    # This redraw serves any idle one already asked for.
    after cancel $S(pending)
    set S(pending) {}
    set o $S(opts)
    set common [list -frame [dict get $o -frame] -window [dict get $o -window] \
        -colormap [dict get $o -colormap] -zoom [dict get $o -zoom] -flip [dict get $o -flip] \
        -overlay [dict get $o -overlay] -alpha [dict get $o -alpha] \
        -overlaywindow [dict get $o -overlaywindow] -overlaycolormap [dict get $o -overlaycolormap]]
    set first 1
    foreach pane $S(panes) {
        lassign $pane axis photo
        if {[dict get $o -layout] eq "single"} { set axis [dict get $o -axis] }
        set slice [lindex $S(cursor) [dict get $AxisIndex $axis]]
        set drawn [::mx::_render $photo $S(canvas) -axis $axis -slice $slice {*}$common]
        if {$first} { set S(shown) [lrange $drawn 2 3] }
        set first 0
    }
    if {[info exists S(win)]} { Decorate $v }
    return
}

# Ask for one redraw at idle (many changes, one redraw).
proc ::mx::view::Schedule {v} {
    upvar #0 ::mx::view::S_$v S
    if {[info exists S(pending)] && $S(pending) eq "" && !$S(closing)} {
        set S(pending) [after idle [list ::mx::view::IdleRedraw $v]]
    }
}

proc ::mx::view::IdleRedraw {v} {
    upvar #0 ::mx::view::S_$v S
    if {![info exists S(win)] || $S(closing)} { return }
    # The canvas may have been changed so that a setting no longer fits; the
    # picture then stays as it was and the error goes to bgerror.
    Redraw $v
}
