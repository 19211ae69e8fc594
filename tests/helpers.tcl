# Helpers shared by the tcltest files: where things are, and what the kernel
# says about shared memory segments (ipcs), independently of the package.
namespace eval ::mxtest {
    variable root [file dirname [file dirname [file normalize [info script]]]]
    variable bin [file join $root tests tools bin]
}

# All shmids the kernel lists (`ipcs -m`).
proc ::mxtest::segment_ids {} {
    set ids {}
    foreach line [split [exec ipcs -m] \n] {
        if {[regexp {^0x[0-9a-f]+\s+(\d+)\s} $line -> id]} { lappend ids $id }
    }
    return $ids
}

proc ::mxtest::segment_exists {id} {
    expr {$id in [segment_ids]}
}

# A dict of `ipcs -m -i ID`: mode, bytes, nattch, cpid, dest (0/1)...
proc ::mxtest::segment_info {id} {
    set text [exec ipcs -m -i $id]
    set info [dict create dest 0]
    foreach {- key value} [regexp -all -inline {(\w+)=(\S+)} $text] {
        dict set info $key $value
    }
    if {[regexp {dest} [lindex [split $text \n] 0]] || [string match *dest* $text]} {
        dict set info dest 1
    }
    return $info
}

# Path of a test tool built by `make` (tests/tools/*.c).
proc ::mxtest::tool {name} {
    variable bin
    file join $bin $name
}

# Path of an example program built by `make` (examples/*.c).
proc ::mxtest::example {name} {
    variable root
    file join $root examples bin $name
}

# Fill canvas $c (float32 or integer) with value = f(x,y,z) via its data bytes.
proc ::mxtest::pattern {c} {
    set info [$c info]
    dict with info {}
    set vals {}
    for {set i 0} {$i < $width*$height*$depth*$frames} {incr i} {
        lappend vals [expr {$i % 251}]
    }
    set fmt [dict get {uint8 cu int8 c uint16 su int16 s uint32 iu int32 i float32 f float64 d} $type]
    $c data [binary format $fmt* $vals]
    return $c
}

# The project's venv Python (made by `make venv`), with numpy and nibabel.
proc ::mxtest::python {} {
    variable root
    file join $root .venv bin python
}

# 1 when segment $id is marked for removal (IPC_RMID): `ipcs -m` lists it
# with status "dest" (and `ipcs -m -i` shows the 01000 bit in its mode).
proc ::mxtest::segment_marked {id} {
    foreach line [split [exec ipcs -m] \n] {
        if {[lindex $line 1] eq $id} {
            return [expr {"dest" in $line}]
        }
    }
    error "no segment $id"
}
