# mx::view, the interactive half: crosshair, labels, colorbar, scales,
# status line and hover readout, mouse and keys (zoom, pan), cursor,
# snapshot and closing. See view.tcl for the viewer's state. Every mapping
# between pixels and voxels uses the planes of ::mx::_planes (S(planes)),
# the same ones _render draws with.

# Bring the widgets in line with the state: image area sizes, labels,
# crosshair, slice scale, colorbar, status line.
proc ::mx::view::Decorate {v} {
    upvar #0 ::mx::view::S_$v S
    set o $S(opts)
    set k [dict get $o -zoom]
    # A zoom set by configure (not the wheel) sizes the panes afresh.
    if {[info exists S(drawnzoom)] && $S(drawnzoom) != $k && !([info exists S(wheel)] && $S(wheel))} {
        array unset S box,*
        array unset S pan,*
        for {set n 0} {$n < [llength $S(panes)]} {incr n} { set S(pan,$n) {0 0} }
    }
    set S(drawnzoom) $k
    set i 0
    foreach pane $S(panes) {
        lassign $pane axis photo
        if {[dict get $o -layout] eq "single"} { set axis [dict get $o -axis] }
        set c $S(win).panes.image$i
        set pw [image width $photo]
        set ph [image height $photo]
        # The pane's size: the picture's at the zoom it opened with, so that
        # zooming in keeps the window and the middle button pans.
        if {![info exists S(box,$i)] || $S(boxaxis,$i) ne $axis} {
            set S(box,$i) [list $pw $ph]
            set S(boxaxis,$i) $axis
        }
        lassign $S(box,$i) bw bh
        set cw [expr {min($pw, $bw)}]
        set ch [expr {min($ph, $bh)}]
        $c configure -width $cw -height $ch
        lassign [ClampPan $v $i $pw $ph $cw $ch] dx dy
        $c coords img $dx $dy
        lassign [InPlane $v $axis] col row
        lassign [Scale $v $axis $k] sx sy
        set px [expr {$dx + int(($col + 0.5) * $sx)}]
        set py [expr {$dy + int(($row + 0.5) * $sy)}]
        $c coords col $px 0 $px $ch
        $c coords row 0 $py $cw $py
        lassign [EdgeLabels $v $axis] left right top bottom
        $c itemconfigure left -text $left
        $c itemconfigure right -text $right
        $c itemconfigure top -text $top
        $c itemconfigure bottom -text $bottom
        $c coords left 3 [expr {$ch / 2}]
        $c itemconfigure left -anchor w
        $c coords right [expr {$cw - 3}] [expr {$ch / 2}]
        $c itemconfigure right -anchor e
        $c coords top [expr {$cw / 2}] 2
        $c itemconfigure top -anchor n
        $c coords bottom [expr {$cw / 2}] [expr {$ch - 2}]
        $c itemconfigure bottom -anchor s
        incr i
    }
    set axis [dict get $o -axis]
    set count [lindex [list $S(width) $S(height) $S(depth)] [Normal $v $axis]]
    $S(win).slice configure -from 0 -to [expr {$count - 1}] -label "slice ($axis)"
    $S(win).slice set [Cget $v -slice]
    $S(win).frame set [dict get $o -frame]
    Colorbar $v
    Status $v
}

# The pan offset of pane $i, kept so that the picture covers the pane.
proc ::mx::view::ClampPan {v i pw ph cw ch} {
    upvar #0 ::mx::view::S_$v S
    lassign $S(pan,$i) dx dy
    set dx [expr {min(0, max($cw - $pw, $dx))}]
    set dy [expr {min(0, max($ch - $ph, $dy))}]
    set S(pan,$i) [list $dx $dy]
}

# The letters at the left, right, top and bottom edges of a slice along
# $axis: the world direction (R L A P S I) each picture direction is
# nearest to, from the affine, in either orientation.
proc ::mx::view::EdgeLabels {v axis} {
    upvar #0 ::mx::view::S_$v S
    lassign [dict get $S(planes) $axis] a af d df
    set m [dict get $S(planes) affine]
    set out {}
    foreach {vox forward} [list $a $af $d $df] {
        # The world direction of +1 along the picture: the affine's column.
        set sign [expr {$forward ? 1 : -1}]
        set best 0
        set big -1
        foreach r {0 1 2} {
            set e [expr {$sign * [lindex $m [expr {4 * $r + $vox}]]}]
            if {abs($e) > $big} { set big [expr {abs($e)}]; set best $r; set pos [expr {$e > 0}] }
        }
        set letters [lindex {{L R} {P A} {I S}} $best]
        # {start end}: the letter at the picture's start, then at its end.
        lappend out [lindex $letters [expr {!$pos}]] [lindex $letters $pos]
    }
    return $out
}

# The colorbar: the colormap from the window's low (bottom) to high (top), with numbers.
proc ::mx::view::Colorbar {v} {
    upvar #0 ::mx::view::S_$v S
    if {![dict get $S(opts) -colorbar]} { return }
    set cb $S(win).panes.colorbar
    set map [dict get $S(opts) -colormap]
    set h 128
    if {$S(barmap) ne $map} {
        set rows {}
        for {set y 0} {$y < $h} {incr y} {
            set g [expr {round(255.0 * ($h - 1 - $y) / ($h - 1))}]
            switch -- $map {
                hot {
                    set rgb [lmap x [list [expr {3*$g}] [expr {3*$g-255}] [expr {3*$g-510}]] { expr {min(255, max(0, $x))} }]
                }
                labels {
                    set n [expr {$y * 12 / $h}]
                    set rgb [lindex {{230 25 75} {60 180 75} {255 225 25} {0 130 200} {245 130 48} {145 30 180}
                        {70 240 240} {240 50 230} {210 245 60} {250 190 212} {0 128 128} {170 110 40}} $n]
                }
                default { set rgb [list $g $g $g] }
            }
            lappend rows [lrepeat 16 [format #%02x%02x%02x {*}$rgb]]
        }
        $S(barphoto) put $rows
        set S(barmap) $map
    }
    lassign $S(shown) lo hi
    set labels [expr {$map eq "labels" ? {{} {} {}} : [lmap n [list $hi [expr {($lo + $hi) / 2.0}] $lo] { Number $n }]}]
    foreach tag {hi mid lo} y [list 8 [expr {8 + $h / 2}] [expr {8 + $h - 1}]] text $labels {
        $cb coords $tag 24 $y
        $cb itemconfigure $tag -text $text
    }
    $cb configure -height [expr {$h + 16}]
}

# A colorbar number: up to 6 significant digits, no exponent below a million.
proc ::mx::view::Number {n} {
    if {$n == round($n) && abs($n) < 1e6} { return [format %.0f $n] }
    format %.6g $n
}

# The crosshair's (column, row) on the plane of a slice along $axis.
proc ::mx::view::InPlane {v axis} {
    upvar #0 ::mx::view::S_$v S
    lassign [dict get $S(planes) $axis] a af d df
    lassign [PlaneSize $v $axis] w h
    set col [lindex $S(cursor) $a]
    set row [lindex $S(cursor) $d]
    if {!$af} { set col [expr {$w - 1 - $col}] }
    if {!$df} { set row [expr {$h - 1 - $row}] }
    list $col $row
}

# The voxel {x y z} at picture pixel (px, py) of pane $i (pan undone).
proc ::mx::view::VoxelAt {v i px py} {
    upvar #0 ::mx::view::S_$v S
    lassign [lindex $S(panes) $i] axis
    if {[dict get $S(opts) -layout] eq "single"} { set axis [dict get $S(opts) -axis] }
    lassign $S(pan,$i) dx dy
    lassign [dict get $S(planes) $axis] a af d df
    lassign [PlaneSize $v $axis] w h
    lassign [Scale $v $axis [dict get $S(opts) -zoom]] sx sy
    # The voxel _render drew there: floor((p + 0.5) / scale), clamped.
    set col [expr {min(max(int(floor(($px - $dx + 0.5) / $sx)), 0), $w - 1)}]
    set row [expr {min(max(int(floor(($py - $dy + 0.5) / $sy)), 0), $h - 1)}]
    if {!$af} { set col [expr {$w - 1 - $col}] }
    if {!$df} { set row [expr {$h - 1 - $row}] }
    set voxel $S(cursor)
    lset voxel $a $col
    lset voxel $d $row
    return $voxel
}

# World mm of voxel {x y z} under the canvas's affine.
proc ::mx::view::World {v voxel} {
    upvar #0 ::mx::view::S_$v S
    set m [dict get $S(planes) affine]
    lassign $voxel i j k
    lmap r {0 1 2} {
        set b [expr {4 * $r}]
        expr {[lindex $m $b] * $i + [lindex $m $b+1] * $j + [lindex $m $b+2] * $k + [lindex $m $b+3]}
    }
}

# The status line: the voxel under the mouse (or the crosshair), its world
# mm, the stored value (and scaled value when the header scales), the window.
proc ::mx::view::Status {v} {
    upvar #0 ::mx::view::S_$v S
    set voxel [expr {$S(hover) ne "" ? $S(hover) : $S(cursor)}]
    lassign $voxel x y z
    set t [dict get $S(opts) -frame]
    set value [$S(canvas) get $x $y $z $t]
    set text [format "x %d  y %d  z %d  t %d  value %s" $x $y $z $t $value]
    if {$S(scale) ne ""} {
        lassign $S(scale) slope inter
        append text [format " (scaled %.6g)" [expr {$value * $slope + $inter}]]
    }
    append text [format "   mm %.2f %.2f %.2f" {*}[World $v $voxel]]
    append text "   window [join [lmap w $S(shown) { format %.6g $w }]]"
    $S(win).status configure -text $text
}

# The mouse moved over pane $i (or left it: $i is empty).
proc ::mx::view::Hover {v i px py} {
    upvar #0 ::mx::view::S_$v S
    if {![info exists S(win)] || $S(closing)} { return }
    set S(hover) [expr {$i eq "" ? "" : [VoxelAt $v $i $px $py]}]
    Status $v
}

# {x y z t value}: the crosshair and the voxel's value in the canvas's type.
proc ::mx::view::CursorValue {v} {
    upvar #0 ::mx::view::S_$v S
    lassign $S(cursor) x y z
    set t [dict get $S(opts) -frame]
    list $x $y $z $t [$S(canvas) get $x $y $z $t]
}

# $v cursor ?x y z ?t??  |  $v cursor -world ?x y z?
proc ::mx::view::Cursor {v coords} {
    upvar #0 ::mx::view::S_$v S
    if {[lindex $coords 0] eq "-world"} {
        return [CursorWorld $v [lrange $coords 1 end]]
    }
    if {[llength $coords] ni {0 3 4}} {
        return -code error -errorcode {TCL WRONGARGS} "wrong # args: should be \"$v cursor ?x y z ?t??\" or \"$v cursor -world ?x y z?\""
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

# $v cursor -world ?x y z?: the crosshair in world mm; setting it picks the
# nearest voxel, which must be inside the canvas.
proc ::mx::view::CursorWorld {v xyz} {
    upvar #0 ::mx::view::S_$v S
    if {[llength $xyz] ni {0 3}} {
        return -code error -errorcode {TCL WRONGARGS} "wrong # args: should be \"$v cursor -world ?x y z?\""
    }
    if {[llength $xyz]} {
        foreach c $xyz {
            if {![string is double -strict $c]} {
                return -code error -errorcode [list MX VIEW BADVALUE -world $c] \
                    "bad world coordinate \"$c\": expected a number of mm"
            }
        }
        if {![dict exists $S(planes) inverse]} {
            return -code error -errorcode {MX VIEW AFFINE} \
                "cannot place the cursor in world mm: the canvas's affine cannot be inverted"
        }
        set m [dict get $S(planes) inverse]
        lassign $xyz wx wy wz
        set voxel [lmap r {0 1 2} {
            set b [expr {4 * $r}]
            expr {round([lindex $m $b] * $wx + [lindex $m $b+1] * $wy + [lindex $m $b+2] * $wz + [lindex $m $b+3])}
        }]
        foreach c $voxel name {x y z} count [list $S(width) $S(height) $S(depth)] {
            if {$c < 0 || $c >= $count} {
                return -code error -errorcode [list MX INDEX $name $c] \
                    "world point {$xyz} is outside the canvas: its nearest voxel has $name $c, expected 0 to [expr {$count - 1}]"
            }
        }
        set S(cursor) $voxel
        Redraw $v
    }
    World $v $S(cursor)
}

# A left click or drag at (px, py) in pane $i moves the crosshair there.
proc ::mx::view::Click {v i px py} {
    upvar #0 ::mx::view::S_$v S
    set S(cursor) [VoxelAt $v $i $px $py]
    focus $S(win).panes.image$i
    # In the ortho layout the other panes' slices move with the crosshair.
    if {[llength $S(panes)] > 1} { Redraw $v } else { Decorate $v }
}

# Wheel, arrow and page keys: $n slices along -axis (wheel deltas of 120
# a step); in world orientation towards R, A or S for positive $n.
proc ::mx::view::Step {v n} {
    upvar #0 ::mx::view::S_$v S
    if {abs($n) >= 120} { set n [expr {$n / 120}] }
    set axis [dict get $S(opts) -axis]
    set normal [Normal $v $axis]
    if {[dict get $S(opts) -orientation] eq "world"} {
        set r [dict get {x 0 y 1 z 2} $axis]
        if {[lindex [dict get $S(planes) affine] [expr {4 * $r + $normal}]] < 0} { set n [expr {-$n}] }
    }
    set count [lindex [list $S(width) $S(height) $S(depth)] $normal]
    set slice [expr {min(max([Cget $v -slice] + $n, 0), $count - 1)}]
    Dispatch $v configure -slice $slice
}

# Control or Shift with the wheel: zoom in or out by one step. The panes
# keep their size and each keeps the crosshair where it was on the screen
# (as far as the picture reaches); the middle button then pans.
proc ::mx::view::Zoom {v n} {
    upvar #0 ::mx::view::S_$v S
    if {abs($n) >= 120} { set n [expr {$n / 120}] }
    set old [dict get $S(opts) -zoom]
    set k [expr {max(1, $old + ($n > 0 ? 1 : -1))}]
    if {$k == $old} { return }
    set i 0
    foreach pane $S(panes) {
        lassign $pane axis
        if {[dict get $S(opts) -layout] eq "single"} { set axis [dict get $S(opts) -axis] }
        lassign [InPlane $v $axis] col row
        lassign [Scale $v $axis $old] sx sy
        lassign [Scale $v $axis $k] nx ny
        lassign $S(pan,$i) dx dy
        set S(pan,$i) [list [expr {round($dx + ($col + 0.5) * ($sx - $nx))}] [expr {round($dy + ($row + 0.5) * ($sy - $ny))}]]
        incr i
    }
    set S(wheel) 1
    try {
        Dispatch $v configure -zoom $k
    } finally {
        set S(wheel) 0
    }
}

# Middle-drag: move the picture within pane $i.
proc ::mx::view::PanStart {v i px py} {
    upvar #0 ::mx::view::S_$v S
    set S(panfrom) [list $px $py {*}$S(pan,$i)]
}

proc ::mx::view::PanMove {v i px py} {
    upvar #0 ::mx::view::S_$v S
    if {![info exists S(panfrom)]} { return }
    lassign $S(panfrom) x0 y0 dx dy
    set S(pan,$i) [list [expr {$dx + $px - $x0}] [expr {$dy + $py - $y0}]]
    Decorate $v
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

# $v snapshot file: the pictures of the image area at their places in the
# grid (columns as wide as their widest picture), black between, as a PNG.
proc ::mx::view::Snapshot {v file} {
    upvar #0 ::mx::view::S_$v S
    if {[llength $S(panes)] == 1} {
        ::mx::_snapshot [lindex $S(panes) 0 1] $file
        return
    }
    array set cw {}
    array set rh {}
    foreach pane $S(panes) {
        lassign $pane - photo row col
        set cw($col) [expr {max([image width $photo], [info exists cw($col)] ? $cw($col) : 0)}]
        set rh($row) [expr {max([image height $photo], [info exists rh($row)] ? $rh($row) : 0)}]
    }
    set all [image create photo]
    try {
        set wide 0
        set high 0
        foreach c [array names cw] { incr wide $cw($c) }
        foreach r [array names rh] { incr high $rh($r) }
        $all put black -to 0 0 $wide $high
        foreach pane $S(panes) {
            lassign $pane - photo row col
            set x 0
            set y 0
            foreach c [array names cw] { if {$c < $col} { incr x $cw($c) } }
            foreach r [array names rh] { if {$r < $row} { incr y $rh($r) } }
            $all copy $photo -to $x $y
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
    if {[info exists S(barphoto)]} { catch {image delete $S(barphoto)} }
    if {[info commands ::$v] ne ""} {
        trace remove command ::$v delete [list ::mx::view::CommandDeleted $v]
        rename ::$v {}
    }
    if {[info exists S(win)] && [winfo exists $S(win)]} { destroy $S(win) }
    unset S
}
