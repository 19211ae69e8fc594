# Run every tcltest file in tests/ (each in its own tclsh process) and exit
# non-zero when any test fails, any file crashes, or the run leaves a System V
# segment behind.
#   TCLLIBPATH=<repo> tclsh tests/all.tcl ?tcltest options, e.g. -file canvas.test?
package require tcltest 2.5
namespace import tcltest::*

set testdir [file dirname [file normalize [info script]]]
configure -testdir $testdir -singleproc 0 {*}$argv
source [file join $testdir helpers.tcl]

set before [::mxtest::segment_ids]
set failed [runAllTests]
set leaked {}
# A new segment counts as this run's leak only when the process that created
# it is gone: every process of the run has exited by now, while segments of
# programs still running elsewhere on the machine (other users, other builds)
# come and go with live creators.
foreach id [::mxtest::segment_ids] {
    if {$id in $before || [catch {::mxtest::segment_info $id} info]} continue
    if {![file exists /proc/[dict get $info cpid]]} { lappend leaked $id }
}
if {[llength $leaked]} {
    puts stderr "LEAK: the test run left shared memory segments behind: $leaked"
    set failed 1
}
if {$failed} {
    puts stderr "FAILED: some tests failed (see above)"
}
exit [expr {$failed ? 1 : 0}]
