#!/usr/bin/env python3
"""Draws the web app's PNG icons (web/icons/) from the camera mark of web/favicon.svg.

Python's standard library only (no image tools needed): the shapes are sampled 4x4 per pixel
for smooth edges and written as RGBA PNGs. Run it again after changing the mark; the PNGs are
committed, so neither the build nor an install needs it.
"""
import os
import struct
import sys
import zlib

BLUE = (0x25, 0x63, 0xEB)
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4  # per axis


def in_rounded_rect(x, y, left, top, width, height, radius):
    if x < left or x > left + width or y < top or y > top + height:
        return False
    cx = min(max(x, left + radius), left + width - radius)
    cy = min(max(y, top + radius), top + height - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def in_lens(x, y):
    # The quadrilateral (16,10.5) (22,7) (22,17) (16,13.5) of the favicon.
    if x < 16 or x > 22:
        return False
    t = (x - 16) / 6
    return 10.5 - 3.5 * t <= y <= 13.5 + 3.5 * t


def in_mark(x, y):
    """The camera mark in its 24x24 box: body and lens, without the dot."""
    body = in_rounded_rect(x, y, 2, 6, 14, 12, 3)
    if body and (x - 6.5) ** 2 + (y - 10) ** 2 <= 1.5 ** 2:
        return False
    return body or in_lens(x, y)


def render(size, background, mark_fraction, mark_colour, background_colour):
    """RGBA rows. background: None, 'rounded' or 'full'."""
    rows = []
    scale = 24 / (size * mark_fraction)  # pixels to mark units
    offset = (size - size * mark_fraction) / 2
    for py in range(size):
        row = bytearray()
        for px in range(size):
            mark = back = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = px + (sx + 0.5) / SAMPLES
                    y = py + (sy + 0.5) / SAMPLES
                    if background == 'full' or (
                        background == 'rounded'
                        and in_rounded_rect(x, y, 0, 0, size, size, size * 0.22)
                    ):
                        back += 1
                    if in_mark((x - offset) * scale, (y - offset) * scale):
                        mark += 1
            total = SAMPLES * SAMPLES
            if background:
                a = back / total
                m = mark / total
                colour = [round(b * (1 - m) + w * m) for b, w in zip(background_colour, mark_colour)]
                row += bytes(colour + [round(255 * max(a, m))])
            else:
                row += bytes(list(mark_colour) + [round(255 * mark / total)])
        rows.append(bytes(row))
    return rows


def write_png(path, size, rows):
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))

    raw = b''.join(b'\x00' + row for row in rows)
    png = b'\x89PNG\r\n\x1a\n'
    png += chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 6, 0, 0, 0))
    png += chunk(b'IDAT', zlib.compress(raw, 9))
    png += chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(png)


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'web', 'icons')
    os.makedirs(out, exist_ok=True)
    icons = [
        # name, size, background, share of the icon the mark spans
        ('icon-192.png', 192, 'rounded', 0.7),
        ('icon-512.png', 512, 'rounded', 0.7),
        # Maskable: full bleed; the mark inside the central safe zone (a circle of 80 %).
        ('maskable-512.png', 512, 'full', 0.55),
        # The notification badge: Android shows only its alpha, in white.
        ('badge-96.png', 96, None, 0.95),
    ]
    for name, size, background, fraction in icons:
        write_png(os.path.join(out, name), size, render(size, background, fraction, WHITE, BLUE))
        print('wrote', name, file=sys.stderr)


if __name__ == '__main__':
    main()
