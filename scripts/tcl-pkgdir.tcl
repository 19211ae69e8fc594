# tclsh scripts/tcl-pkgdir.tcl PREFIX: where this Tcl looks for packages
# under PREFIX. The first entry of its tcl_pkgPath (the folders it searches,
# compiled in, as tclConfig.sh's TCL_PACKAGE_PATH) that lies in PREFIX/lib,
# else PREFIX/lib itself, the folder TEA packages install to.
set prefix [string trimright [lindex $argv 0] /]
if {[info exists tcl_pkgPath]} {
    foreach dir $tcl_pkgPath {
        if {$dir eq "$prefix/lib" || [string first "$prefix/lib/" $dir] == 0} {
            puts $dir
            exit 0
        }
    }
}
puts $prefix/lib
