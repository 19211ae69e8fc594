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
        -alpha {0.5 0} -axis {z 0} -colorbar {1 0} -colormap {grey 0} -convention {radiological 0}
        -flip {0 0} -follow {0 0} -frame {0 0} -layout {single 1} -orientation {world 1}
        -overlay {{} 0} -overlaycolormap {labels 0}
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
    array set S {pending {} follow {} closing 0 panes {} windows {} hover {}}
    set S(canvas) $fq
    set info [$fq info]
    foreach k {width height depth frames type} { set S($k) [dict get $info $k] }
    # The header's scaling, for the readout (a canvas loaded -scaled 1 has none left).
    set S(scale) {}
    if {![catch {list [$fq info scl_slope] [$fq info scl_inter]} si]} {
        lassign $si slope inter
        if {$slope != 0 && ($slope != 1 || $inter != 0)} { set S(scale) $si }
    }
    set S(opts) [dict create]
    dict for {name spec} $Specs { dict set S(opts) $name [lindex $spec 0] }
    set S(cursor) [list [expr {$S(width) / 2}] [expr {$S(height) / 2}] [expr {$S(depth) / 2}]]
    # Creation-only options first: they decide the widgets.
    set rest {}
    foreach {name value} $argList {
        set name [tcl::prefix match -message option [OptionNames] $name]
        if {$name eq "-layout"} {
            dict set S(opts) -layout [tcl::prefix match -message layout {ortho single} $value]
        } elseif {$name eq "-orientation"} {
            dict set S(opts) -orientation [tcl::prefix match -message orientation {voxel world} $value]
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
    # Panes: {axis photo row column}. World ortho: coronal and sagittal
    # side by side (same height), axial under coronal (same width), the
    # colorbar in the fourth cell; voxel ortho: today's row z y x.
    if {[dict get $S(opts) -layout] eq "single"} {
        set cells {z 0 0}
    } elseif {[dict get $S(opts) -orientation] eq "world"} {
        set cells {y 0 0 x 0 1 z 1 0}
    } else {
        set cells {z 0 0 y 0 1 x 0 2}
    }
    foreach {axis row col} $cells {
        lappend S(panes) [list $axis [image create photo ::mx::view::$v.photo[llength $S(panes)]] $row $col]
    }
    if {[catch {
        Planes $v
        if {[dict get $S(opts) -zoom] eq ""} { dict set S(opts) -zoom [FitZoom $v] }
        Configure $v {*}$rest
    } msg opts]} {
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
    lassign [GridSize $v 1] wide high
    set k [expr {min(int(0.8 * [winfo screenwidth .] / $wide), int(0.7 * [winfo screenheight .] / $high))}]
    expr {max(1, $k)}
}

# {width height} of the panes' grid at zoom k (columns as wide as their
# widest pane, rows as high as their highest).
proc ::mx::view::GridSize {v k} {
    upvar #0 ::mx::view::S_$v S
    array set cw {}
    array set rh {}
    foreach pane $S(panes) {
        lassign $pane axis - row col
        if {[dict get $S(opts) -layout] eq "single"} { set axis [dict get $S(opts) -axis] }
        lassign [PictureSize $v $axis $k] w h
        set cw($col) [expr {max($w, [info exists cw($col)] ? $cw($col) : 0)}]
        set rh($row) [expr {max($h, [info exists rh($row)] ? $rh($row) : 0)}]
    }
    set wide 0
    set high 0
    foreach c [array names cw] { incr wide $cw($c) }
    foreach r [array names rh] { incr high $rh($r) }
    list [expr {max(1, $wide)}] [expr {max(1, $high)}]
}

# The voxel-to-display mapping (::mx::_planes, src/formats/slices/orient.rs),
# computed once per viewer and orientation setting: for each axis x y z,
# {acrossAxis acrossForward downAxis downForward normalAxis aspectAcross
# aspectDown}, and the affine and its inverse.
proc ::mx::view::Planes {v {opts {}}} {
    upvar #0 ::mx::view::S_$v S
    if {$opts eq ""} { set opts $S(opts) }
    set S(planes) [::mx::_planes $S(canvas) -orientation [dict get $opts -orientation] \
        -convention [dict get $opts -convention] -flip [dict get $opts -flip]]
}

# Columns and rows of a slice along $axis.
proc ::mx::view::PlaneSize {v axis} {
    upvar #0 ::mx::view::S_$v S
    set dims [list $S(width) $S(height) $S(depth)]
    lassign [dict get $S(planes) $axis] a - d
    list [lindex $dims $a] [lindex $dims $d]
}

# Screen pixels per voxel {across down} of a slice along $axis at zoom k.
proc ::mx::view::Scale {v axis k} {
    upvar #0 ::mx::view::S_$v S
    lassign [dict get $S(planes) $axis] - - - - - sa sd
    list [expr {$k * $sa}] [expr {$k * $sd}]
}

# {width height} of the picture of a slice along $axis at zoom k (as _render makes it).
proc ::mx::view::PictureSize {v axis k} {
    lassign [PlaneSize $v $axis] w h
    lassign [Scale $v $axis $k] sx sy
    list [expr {max(1, round($w * $sx))}] [expr {max(1, round($h * $sy))}]
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
    set k [dict get $S(opts) -zoom]
    foreach pane $S(panes) {
        lassign $pane axis - row col
        set c $w.panes.image$i
        canvas $c -highlightthickness 0 -borderwidth 0 -background black
        $c create image 0 0 -anchor nw -image [lindex $pane 1] -tags img
        $c create line 0 0 0 0 -fill yellow -tags {cross col}
        $c create line 0 0 0 0 -fill yellow -tags {cross row}
        foreach side {left right top bottom} {
            $c create text 0 0 -fill orange -font TkHeadingFont -tags [list label $side]
        }
        # The pane keeps the size it opened with (zoom in, then pan).
        set S(pan,$i) {0 0}
        grid $c -row $row -column $col -padx 1 -pady 1 -sticky nw
        Bindings $v $c $i
        incr i
    }
    # The colorbar: the bottom-right cell of the world ortho grid, else a column of its own.
    set cb $w.panes.colorbar
    canvas $cb -highlightthickness 0 -borderwidth 0 -background black -width 90 -height 144
    set S(barphoto) [image create photo ::mx::view::$v.bar]
    $cb create image 4 8 -anchor nw -image $S(barphoto)
    foreach tag {hi mid lo} { $cb create text 24 0 -anchor w -fill white -font TkDefaultFont -tags $tag }
    set S(barmap) ""
    if {[dict get $S(opts) -layout] eq "ortho" && [dict get $S(opts) -orientation] eq "world"} {
        grid $cb -row 1 -column 1 -padx 1 -pady 1 -sticky nw
    } else {
        grid $cb -row 0 -column 3 -padx 1 -pady 1 -sticky nw
    }
    if {![dict get $S(opts) -colorbar]} { grid remove $cb }
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
    # Control (or Shift) with the wheel zooms; the middle button pans.
    foreach mod {Control Shift} {
        bind $c <$mod-Button-4> [list ::mx::view::Zoom $v 1]
        bind $c <$mod-Button-5> [list ::mx::view::Zoom $v -1]
        bind $c <$mod-MouseWheel> [list ::mx::view::Zoom $v %D]
    }
    bind $c <ButtonPress-2> [list ::mx::view::PanStart $v $i %x %y]
    bind $c <B2-Motion> [list ::mx::view::PanMove $v $i %x %y]
    # The readout follows the mouse; leaving the pane shows the crosshair's.
    bind $c <Motion> [list ::mx::view::Hover $v $i %x %y]
    bind $c <Leave> [list ::mx::view::Hover $v {} 0 0]
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
    upvar #0 ::mx::view::S_$v S
    if {$name eq "-slice"} {
        return [lindex $S(cursor) [Normal $v [dict get $S(opts) -axis]]]
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
            -colorbar {
                if {![string is boolean -strict $value]} {
                    return -code error -errorcode [list MX VIEW BADVALUE -colorbar $value] \
                        "bad -colorbar \"$value\": expected a boolean"
                }
                set value [expr {!!$value}]
            }
            -convention {
                set value [tcl::prefix match -message convention {neurological radiological} $value]
            }
            -orientation { set value [tcl::prefix match -message orientation {voxel world} $value] }
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
        set planes $S(planes)
        if {[catch {Planes $v $opts} msg popts]} { return -options $popts $msg }
        lset cursor [Normal $v [dict get $opts -axis]] $slice
        set S(planes) $planes
    }
    set old [list $S(opts) $S(cursor) $S(planes)]
    if {[catch {Planes $v $opts} msg popts]} { return -options $popts $msg }
    lassign [list $opts $cursor] S(opts) S(cursor)
    if {[catch {Redraw $v} msg ropts]} {
        lassign $old S(opts) S(cursor) S(planes)
        catch {Redraw $v}
        return -options $ropts $msg
    }
    if {[info exists S(win)]} {
        set cb $S(win).panes.colorbar
        if {[dict get $S(opts) -colorbar]} { grid $cb } else { grid remove $cb }
    }
    if {[lindex $old 0] ne $S(opts) && [info exists S(win)]} {
        Watch $v
        Follow $v
    }
    return
}

# The voxel axis a slice along $axis cuts (the crosshair coordinate -slice is).
proc ::mx::view::Normal {v axis} {
    upvar #0 ::mx::view::S_$v S
    lindex [dict get $S(planes) $axis] 4
}

# The window of the frame shown: -window, or the robust default
# (::mx::_window), computed once per frame and kept while the viewer is
# open (a live view keeps its brightness), except while it is empty.
proc ::mx::view::Window {v} {
    upvar #0 ::mx::view::S_$v S
    set w [dict get $S(opts) -window]
    if {$w ne ""} { return $w }
    set t [dict get $S(opts) -frame]
    if {![dict exists $S(windows) $t] || [lindex [dict get $S(windows) $t] 0] == [lindex [dict get $S(windows) $t] 1]} {
        dict set S(windows) $t [::mx::_window $S(canvas) $t]
    }
    dict get $S(windows) $t
}

# Draw every pane now, from the canvas's current voxels.
proc ::mx::view::Redraw {v} {
    upvar #0 ::mx::view::S_$v S
    # This redraw serves any idle one already asked for.
    after cancel $S(pending)
    set S(pending) {}
    set o $S(opts)
    # A frame outside the canvas is refused by _render with its own message.
    set window [dict get $o -window]
    if {$window eq "" && [string is entier -strict [dict get $o -frame]]
        && [dict get $o -frame] >= 0 && [dict get $o -frame] < $S(frames)} {
        set window [Window $v]
    }
    set common [list -frame [dict get $o -frame] -window $window \
        -colormap [dict get $o -colormap] -zoom [dict get $o -zoom] -flip [dict get $o -flip] \
        -orientation [dict get $o -orientation] -convention [dict get $o -convention] \
        -overlay [dict get $o -overlay] -alpha [dict get $o -alpha] \
        -overlaywindow [dict get $o -overlaywindow] -overlaycolormap [dict get $o -overlaycolormap]]
    set first 1
    foreach pane $S(panes) {
        lassign $pane axis photo
        if {[dict get $o -layout] eq "single"} { set axis [dict get $o -axis] }
        set slice [lindex $S(cursor) [Normal $v $axis]]
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
