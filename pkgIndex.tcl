# mxcanvas: load the Rust library built for the running Tcl (libmxcanvas.so
# for 8.6, libtcl9mxcanvas.so for 9.x, Tcl 9's naming of extension libraries)
# and the Tcl helpers (namespace ::mx).
package ifneeded mxcanvas 0.1.0 [list apply {dir {
    set lib [expr {[package vsatisfies [info tclversion] 9-] ? "libtcl9mxcanvas.so" : "libmxcanvas.so"}]
    load [file join $dir $lib] Mxcanvas
    source [file join $dir library mxcanvas.tcl]
    source [file join $dir library formats.tcl]
    source [file join $dir library exec.tcl]
    foreach f {view.tcl view-ui.tcl view-live.tcl} { source [file join $dir library $f] }
}} $dir]
