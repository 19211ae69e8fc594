#!/usr/bin/env python3
"""Other programs' view of the gzip files mxcanvas writes, for tests/gzip.test.

  gzip_readers.py gzip FILE OUT       Python's gzip module: decoded bytes to OUT
  gzip_readers.py zlib FILE OUT       zlib (decompressobj, one member after the
                                      other as zlib's docs describe): decoded
                                      bytes to OUT; prints the member count
  gzip_readers.py sitk FILE OUT       SimpleITK (ITK's NIfTI reader): voxels
                                      to OUT (x fastest, native order); prints
                                      the dims
  gzip_readers.py members FILE OUT BYTES
                                      re-compress FILE's decoded bytes as a
                                      multi-member gzip of BYTES per member
                                      (as `cat a.gz b.gz`, bgzip do) into OUT
  gzip_readers.py has-sitk            exit 0 when SimpleITK imports
"""
import gzip
import sys
import zlib


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def by_zlib(path):
    data, out, members = read(path), [], 0
    while data:
        d = zlib.decompressobj(wbits=31)
        out.append(d.decompress(data))
        if not d.eof:
            raise SystemExit("zlib: member %d does not end" % (members + 1))
        members += 1
        data = d.unused_data
    return b"".join(out), members


def main(argv):
    op = argv[0]
    if op == "gzip":
        with gzip.open(argv[1], "rb") as f:
            write(argv[2], f.read())
    elif op == "zlib":
        data, members = by_zlib(argv[1])
        write(argv[2], data)
        print(members)
    elif op == "sitk":
        import SimpleITK as sitk

        img = sitk.ReadImage(argv[1])
        write(argv[2], sitk.GetArrayViewFromImage(img).tobytes())
        print(" ".join(map(str, img.GetSize())))
    elif op == "members":
        with gzip.open(argv[1], "rb") as f:
            data = f.read()
        size = int(argv[3])
        write(argv[2], b"".join(gzip.compress(data[i:i + size], 6) for i in range(0, len(data), size)))
    elif op == "has-sitk":
        import SimpleITK  # noqa: F401
    else:
        raise SystemExit("unknown operation " + op)


if __name__ == "__main__":
    main(sys.argv[1:])
