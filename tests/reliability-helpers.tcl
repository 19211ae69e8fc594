# Helpers of the reliability tests (ownership, orphans, faults, load, bad
# input): child tclsh processes, another user, and what the kernel says about
# a segment's key, permissions and attachments.
source [file join [file dirname [file normalize [info script]]] helpers.tcl]

namespace eval ::mxrel {
    variable user mxcanvas-test
    # Prepended to every child script: load the package, and `try` a call,
    # answering {code result errorcode} as one list.
    variable preamble {
        package require mxcanvas
        proc try {script} {
            set code [catch {uplevel 1 $script} result opts]
            list $code $result [expr {$code ? [dict get $opts -errorcode] : ""}]
        }
        fconfigure stdout -buffering line
    }
}

# The fields of `ipcs -m -i ID` as a dict (mode, access_perms, nattch, cpid...).
proc ::mxrel::seginfo {id} {
    set d {}
    foreach {- k v} [regexp -all -inline {(\w+)=(\S+)} [exec ipcs -m -i $id]] { dict set d $k $v }
    return $d
}

# Permission bits of segment ID as ipcs prints them ("0600").
proc ::mxrel::perms {id} { dict get [seginfo $id] access_perms }

proc ::mxrel::nattch {id} { dict get [seginfo $id] nattch }

# Whether segment ID is marked for removal (the kernel's SHM_DEST bit, 01000).
proc ::mxrel::marked {id} {
    expr {([scan [dict get [seginfo $id] mode] %o] & 0o1000) != 0}
}

# The key of segment ID, as an integer (ipcs -m prints it in hex).
proc ::mxrel::key {id} {
    foreach line [split [exec ipcs -m] \n] {
        if {[regexp {^0x([0-9a-f]+)\s+(\d+)\s} $line -> key sid] && $sid == $id} {
            return [expr {"0x$key" + 0}]
        }
    }
    error "no segment $id"
}

proc ::mxrel::is_mx_key {key} { expr {($key & 0xFFFF0000) == 0x4D580000} }

# The world-readable (0755) scratch folder for what the other user runs.
proc ::mxrel::scratch {} {
    variable tmpdir
    if {![::info exists tmpdir]} {
        set tmpdir [file join /tmp mxrel-[pid]]
        file mkdir $tmpdir
        file attributes $tmpdir -permissions 0755
    }
    return $tmpdir
}

# A temporary file holding the preamble and SCRIPT, for a child tclsh; in a
# world-readable directory so that the other user's tclsh can read it too.
proc ::mxrel::script_file {script} {
    variable preamble
    set f [file join [scratch] child[incr ::mxrel::n].tcl]
    set out [open $f w]
    puts $out $preamble\n$script
    close $out
    file attributes $f -permissions 0644
    return $f
}

# A copy of FILE (a program or test tool) that the other user may run, in the
# scratch folder: the checkout itself may be unreadable to that user (a clone
# inside a 0700 home or a `mktemp -d` folder), and where the checkout lives
# must never fail a test.
proc ::mxrel::readable {file} {
    set dir [file join [scratch] bin]
    file mkdir $dir
    file attributes $dir -permissions 0755
    set copy [file join $dir [file tail $file]]
    if {![file exists $copy]} {
        file copy $file $copy
        file attributes $copy -permissions 0755
    }
    return $copy
}

# A copy of the package as the child tclsh loads it (pkgIndex.tcl, the
# libraries, library/), readable by the other user; the folder to put in its
# TCLLIBPATH. Made once per test file, from the checkout being tested.
proc ::mxrel::readable_package {} {
    set dir [file join [scratch] pkg]
    if {![file exists $dir]} {
        file mkdir $dir
        foreach f [list pkgIndex.tcl library {*}[glob -nocomplain -tails -directory $::mxtest::root *.so]] {
            file copy [file join $::mxtest::root $f] $dir
        }
        exec chmod -R a+rX $dir
    }
    return $dir
}

# Remove the child scripts; call before cleanupTests.
proc ::mxrel::cleanup {} {
    variable tmpdir
    if {[::info exists tmpdir]} {
        file delete -force $tmpdir
        unset tmpdir
    }
}

# Run SCRIPT in a child tclsh (with the package loaded); return its stdout.
proc ::mxrel::child {script args} {
    exec [::info nameofexecutable] [script_file $script] {*}$args
}

# Start SCRIPT in a child tclsh with a pipe to its stdin and from its stdout.
proc ::mxrel::spawn {script args} {
    set chan [open |[list [::info nameofexecutable] [script_file $script] {*}$args 2>@1] r+]
    fconfigure $chan -buffering line
    return $chan
}

# A second, unprivileged user for ownership tests, created when missing
# (needs root and useradd). Returns {uid gid}.
proc ::mxrel::other_user {} {
    variable user
    if {[catch {exec id -u $user}]} {
        exec useradd --system --no-create-home --shell /usr/sbin/nologin $user
    }
    list [exec id -u $user] [exec id -g $user]
}

# Run SCRIPT in a child tclsh as the other user (setpriv drops root's uid,
# gid and supplementary groups); return its stdout. It loads a readable copy
# of the package (readable_package), never the checkout directly.
proc ::mxrel::child_as_other {script args} {
    lassign [other_user] uid gid
    exec env TCLLIBPATH=[list [readable_package]] setpriv --reuid=$uid --regid=$gid --clear-groups \
        [::mxtest::readable_tclsh] [script_file $script] {*}$args
}

proc ::mxrel::have {program} {
    expr {[auto_execok $program] ne ""}
}

tcltest::testConstraint root [expr {[exec id -u] == 0}]
tcltest::testConstraint otherUser [expr {[exec id -u] == 0 && [::mxrel::have useradd] && [::mxrel::have setpriv]}]
tcltest::testConstraint unshareIpc [expr {[exec id -u] == 0 && [::mxrel::have unshare]
    && ![catch {exec unshare --ipc true}]}]
tcltest::testConstraint thread [expr {![catch {package require Thread}]}]
