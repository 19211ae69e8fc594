# mxcanvas: load the Rust library and the Tcl helpers (namespace ::mx).
package ifneeded mxcanvas 0.1.0 [list apply {dir {
    load [file join $dir libmxcanvas.so] Mxcanvas
    source [file join $dir library mxcanvas.tcl]
    source [file join $dir library formats.tcl]
    foreach f {view.tcl view-ui.tcl view-live.tcl} { source [file join $dir library $f] }
}} $dir]
