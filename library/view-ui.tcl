# mx::view, the interactive half: crosshair, scales, status line, mouse and
# keys, cursor, snapshot and closing. See view.tcl for the viewer's state.

# Bring the widgets in line with the state: image area sizes, crosshair,
# slice scale, status line.
proc ::mx::view::Decorate {v} {
    variable AxisIndex
    upvar #0 ::mx::view::S_$v S
    set o $S(opts)
    set k [dict get $o -zoom]
    set i 0
    foreach pane $S(panes) {
        lassign $pane axis photo
        if {[dict get $o -layout] eq "single"} { set axis [dict get $o -axis] }
        set c $S(win).panes.image$i
        $c configure -width [image width $photo] -height [image height $photo]
        lassign [InPlane $v $axis] col row
        set px [expr {$col * $k + $k / 2}]
        set py [expr {$row * $k + $k / 2}]
        $c coords col $px 0 $px [image height $photo]
        $c coords row 0 $py [image width $photo] $py
        incr i
    }
    set axis [dict get $o -axis]
    set count [lindex [list $S(width) $S(height) $S(depth)] [dict get $AxisIndex $axis]]
    $S(win).slice configure -from 0 -to [expr {$count - 1}] -label "slice ($axis)"
    $S(win).slice set [Cget $v -slice]
    $S(win).frame set [dict get $o -frame]
    lassign [CursorValue $v] x y z t value
    $S(win).status configure -text [format "x %d  y %d  z %d  t %d  value %s   window %s %s" \
        $x $y $z $t $value {*}[lmap w $S(shown) { format %.6g $w }]]
}

# The crosshair's (column, row) on the picture of a slice along $axis.
proc ::mx::view::InPlane {v axis} {
    upvar #0 ::mx::view::S_$v S
    lassign $S(cursor) x y z
    lassign [PlaneSize $v $axis] w h
    set pos [dict get [list z [list $x $y] y [list $x $z] x [list $y $z]] $axis]
    lassign $pos col row
    if {[dict get $S(opts) -flip]} { set row [expr {$h - 1 - $row}] }
    list $col $row
}

# {x y z t value}: the crosshair and the voxel's value in the canvas's type.
proc ::mx::view::CursorValue {v} {
    upvar #0 ::mx::view::S_$v S
    lassign $S(cursor) x y z
    set t [dict get $S(opts) -frame]
    list $x $y $z $t [$S(canvas) get $x $y $z $t]
}

# $v cursor ?x y z ?t??
proc ::mx::view::Cursor {v coords} {
    upvar #0 ::mx::view::S_$v S
    if {[llength $coords] ni {0 3 4}} {
        return -code error -errorcode {TCL WRONGARGS} "wrong # args: should be \"$v cursor ?x y z ?t??\""
    }
    if {[llength $coords]} {
        set limits [list x $S(width) y $S(height) z $S(depth) t $S(frames)]
        foreach c $coords {name count} $limits {
            if {$c eq ""} { break }
            if {![string is entier -strict $c] || $c < 0 || $c >= $count} {
                return -code error -errorcode [list MX INDEX $name $c] \
                    "$name \"$c\" is outside the canvas: expected an integer from 0 to [expr {$count - 1}]"
            }
        }
        set frame [expr {[llength $coords] == 4 ? [lindex $coords 3] : [dict get $S(opts) -frame]}]
        set S(cursor) [lmap c [lrange $coords 0 2] { expr {$c} }]
        Configure $v -frame $frame
    }
    CursorValue $v
}

# A left click or drag at (px, py) in pane $i moves the crosshair there.
proc ::mx::view::Click {v i px py} {
    variable AxisIndex
    upvar #0 ::mx::view::S_$v S
    lassign [lindex $S(panes) $i] axis
    if {[dict get $S(opts) -layout] eq "single"} { set axis [dict get $S(opts) -axis] }
    set k [dict get $S(opts) -zoom]
    lassign [PlaneSize $v $axis] w h
    set col [expr {min(max($px / $k, 0), $w - 1)}]
    set row [expr {min(max($py / $k, 0), $h - 1)}]
    if {[dict get $S(opts) -flip]} { set row [expr {$h - 1 - $row}] }
    set cursor $S(cursor)
    switch -- $axis {
        z { lset cursor 0 $col; lset cursor 1 $row }
        y { lset cursor 0 $col; lset cursor 2 $row }
        x { lset cursor 1 $col; lset cursor 2 $row }
    }
    set S(cursor) $cursor
    focus $S(win).panes.image$i
    # In the ortho layout the other panes' slices move with the crosshair.
    if {[llength $S(panes)] > 1} { Redraw $v } else { Decorate $v }
}

# Wheel, arrow and page keys: $n slices along -axis (wheel deltas of 120 a step).
proc ::mx::view::Step {v n} {
    upvar #0 ::mx::view::S_$v S
    if {abs($n) >= 120} { set n [expr {$n / 120}] }
    set count [lindex [PlaneSizeAlong $v] 0]
    set slice [expr {min(max([Cget $v -slice] + $n, 0), $count - 1)}]
    Dispatch $v configure -slice $slice
}

# {number of slices along -axis}.
proc ::mx::view::PlaneSizeAlong {v} {
    variable AxisIndex
    upvar #0 ::mx::view::S_$v S
    list [lindex [list $S(width) $S(height) $S(depth)] [dict get $AxisIndex [dict get $S(opts) -axis]]]
}

# A scale moved (by the user, or by Decorate, which changes nothing).
proc ::mx::view::ScaleMoved {v option value} {
    upvar #0 ::mx::view::S_$v S
    if {![info exists S(opts)] || $S(closing) || [Cget $v $option] == $value} { return }
    Dispatch $v configure $option [expr {int($value)}]
}

# Right-drag: horizontal motion widens or narrows the window, vertical
# motion moves its level (up: brighter), 1/200 of the window a pixel.
proc ::mx::view::LevelStart {v px py} {
    upvar #0 ::mx::view::S_$v S
    set S(level) [list $px $py {*}$S(shown)]
}

proc ::mx::view::LevelMove {v px py} {
    upvar #0 ::mx::view::S_$v S
    if {![info exists S(level)]} { return }
    lassign $S(level) x0 y0 lo hi
    set range [expr {$hi - $lo > 0 ? double($hi - $lo) : max(1.0, abs($lo))}]
    set width [expr {max(0.0, ($hi - $lo) + ($px - $x0) * $range / 200.0)}]
    set level [expr {($lo + $hi) / 2.0 - ($py - $y0) * $range / 200.0}]
    Dispatch $v configure -window [list [expr {$level - $width / 2}] [expr {$level + $width / 2}]]
}

# $v snapshot file: the pictures of the image area, side by side, as a PNG.
proc ::mx::view::Snapshot {v file} {
    upvar #0 ::mx::view::S_$v S
    if {[llength $S(panes)] == 1} {
        ::mx::_snapshot [lindex $S(panes) 0 1] $file
        return
    }
    set all [image create photo]
    try {
        set x 0
        foreach pane $S(panes) {
            set photo [lindex $pane 1]
            $all copy $photo -to $x 0
            incr x [image width $photo]
        }
        ::mx::_snapshot $all $file
    } finally {
        image delete $all
    }
}

# $v close, the window manager's close button, destroy, `rename $v {}`:
# all end here, once; the canvas stays.
proc ::mx::view::Close {v} {
    upvar #0 ::mx::view::S_$v S
    if {![info exists S(closing)] || $S(closing)} { return }
    if {[info exists S(win)] && [winfo exists $S(win)]} {
        destroy $S(win)
    } else {
        Cleanup $v
    }
}

proc ::mx::view::Destroyed {v w} {
    upvar #0 ::mx::view::S_$v S
    if {[info exists S(win)] && $w eq $S(win)} { Cleanup $v }
}

proc ::mx::view::CommandDeleted {v args} {
    upvar #0 ::mx::view::S_$v S
    if {[info exists S(closing)] && !$S(closing)} { Close $v }
}

proc ::mx::view::Cleanup {v} {
    upvar #0 ::mx::view::S_$v S
    if {![info exists S(closing)]} { return }
    set S(closing) 1
    after cancel $S(pending)
    after cancel $S(follow)
    Unwatch $v
    foreach pane $S(panes) { catch {image delete [lindex $pane 1]} }
    if {[info commands ::$v] ne ""} {
        trace remove command ::$v delete [list ::mx::view::CommandDeleted $v]
        rename ::$v {}
    }
    if {[info exists S(win)] && [winfo exists $S(win)]} { destroy $S(win) }
    unset S
}
