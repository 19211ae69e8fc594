# Tk display of canvas slices: `$c photo imageName ?options?` renders the
# slice in Rust (windowed 8-bit grey) and calls ::mx::PhotoPut to copy it
# into a Tk photo image. Going through Tcl keeps the library free of any Tk
# link: the package loads and works without Tk, and only `photo` needs it.
namespace eval ::mx {}

# Put a width x height 8-bit grey picture (a byte array, rows top to bottom)
# into photo image $image, creating it if needed; the image takes the
# picture's size. Returns the image name.
proc ::mx::PhotoPut {image width height pixels} {
    if {[info commands ::image] eq ""} {
        return -code error -errorcode {MX TK MISSING} \
            "cannot draw into photo \"$image\": Tk is not loaded (package require Tk first)"
    }
    if {$image in [::image names]} {
        if {[::image type $image] ne "photo"} {
            return -code error -errorcode [list MX TK NOTPHOTO $image] \
                "image \"$image\" is a [::image type $image] image: expected a photo image"
        }
        # Take exactly the picture's size (an explicit size shrinks a larger
        # image), then go back to "size 0": the image may grow again later.
        $image blank
        $image configure -width $width -height $height
        $image configure -width 0 -height 0
    } else {
        ::image create photo $image
    }
    # A binary PGM (P5) is the one greyscale format Tk's photo reads from
    # data without extra packages; `binary format` keeps it a byte array.
    $image put [binary format a*a* "P5\n$width $height\n255\n" $pixels] -format ppm
    return $image
}
