# mxcanvas Tcl-level helpers. The Mx* commands are global (as MEDx
# ImageScript calls them); helpers written in Tcl live in ::mx.
namespace eval ::mx {
    namespace export *
}
