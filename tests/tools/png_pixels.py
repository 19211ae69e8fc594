#!/usr/bin/env python3
"""Decode an 8-bit greyscale or RGB PNG independently of mxcanvas (struct +
zlib only) and print a Tcl list: width height {pixel values row by row},
where an RGB pixel is the list {r g b}.

Checks what any decoder checks: the signature, every chunk's CRC-32, the
IHDR fields, and the filter byte of each row (mxcanvas writes filter 0)."""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG signature")
    at, idat, header = 8, b"", None
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind = data[at + 4:at + 8]
        body = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            sys.exit(f"{path}: bad CRC in {kind!r}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        at += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if (depth, interlace) != (8, 0) or colour not in (0, 2):
        sys.exit(f"{path}: not 8-bit greyscale or RGB non-interlaced: {header}")
    channels = 3 if colour == 2 else 1
    stride = width * channels + 1
    raw = zlib.decompress(idat)
    if len(raw) != height * stride:
        sys.exit(f"{path}: {len(raw)} bytes of rows, expected {height * stride}")
    pixels = []
    for r in range(height):
        row = raw[r * stride:(r + 1) * stride]
        if row[0] != 0:
            sys.exit(f"{path}: row {r} uses filter {row[0]}")
        if channels == 1:
            pixels.extend(row[1:])
        else:
            pixels.extend("{%d %d %d}" % tuple(row[i:i + 3]) for i in range(1, stride, 3))
    return width, height, pixels


if __name__ == "__main__":
    w, h, p = decode(sys.argv[1])
    print(w, h, "{" + " ".join(map(str, p)) + "}")
