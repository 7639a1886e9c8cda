#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/checks/html_page.py: the checks of tests/html.sh that need more
than grep. One subcommand a call; prints nothing and exits 0 when the
check holds, else one line saying why and exits 1.

  colours PNG MIN        the PNG (8-bit RGB or RGBA, not interlaced, as
                         Chromium writes screenshots) has at least MIN
                         distinct colours: the page is not blank
  links HTML [N]         every relative href of the page names a file
                         that exists (result files, .gp, .dat, ...),
                         one a result file, or N links in all
  probe HTML OUT         OUT: a test copy of the page without its
                         Content-Security-Policy, with a script that
                         marks images that did not load and says how
                         many there are in <p id="imgcheck">
"""
import html
import os
import re
import struct
import sys
import urllib.parse
import zlib


def png_pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("PNG type %d depth %d interlace %d not handled" % (ctype, depth, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return rows, bpp


def colours(path, want):
    rows, bpp = png_pixels(path)
    seen = set()
    for line in rows:
        for i in range(0, len(line), bpp):
            seen.add(line[i:i + 3])
    if len(seen) < want:
        print("%d distinct colours in %s, want %d or more" % (len(seen), path, want))
        return 1
    return 0


def links(path, want=None):
    page = open(path, encoding="utf-8").read()
    base = os.path.dirname(path)
    hrefs = re.findall(r'href="([^"#][^"]*)"', page)
    for h in hrefs:
        if re.match(r"^[a-z]+:", h):
            print("an absolute link: %s" % h)
            return 1
        if not os.path.exists(os.path.join(base, urllib.parse.unquote(html.unescape(h)))):
            print("a link to a missing file: %s" % h)
            return 1
    if want is not None:
        if len(hrefs) != want:
            print("%d links, want %d: %s" % (len(hrefs), want, " ".join(hrefs)))
            return 1
    elif not any(h.endswith(".json") for h in hrefs):
        print("no link to a result file")
        return 1
    return 0


PROBE = """<script>
window.addEventListener("load", function () {
	var imgs = document.images, bad = 0, i, p;
	for (i = 0; i < imgs.length; i++) {
		if (!imgs[i].complete || imgs[i].naturalWidth === 0) {
			bad++;
			imgs[i].setAttribute("data-broken", "1");
		}
	}
	p = document.createElement("p");
	p.id = "imgcheck";
	p.textContent = "images " + imgs.length + " broken " + bad;
	document.body.appendChild(p);
});
</script>
"""


def probe(path, out):
    page = open(path, encoding="utf-8").read()
    page, n = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", page)
    if n != 1:
        print("no Content-Security-Policy line in %s" % path)
        return 1
    open(out, "w", encoding="utf-8").write(page.replace("</body>", PROBE + "</body>"))
    return 0


def main():
    cmd = sys.argv[1]
    if cmd == "colours":
        return colours(sys.argv[2], int(sys.argv[3]))
    if cmd == "links":
        return links(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
    if cmd == "probe":
        return probe(sys.argv[2], sys.argv[3])
    print("unknown check %s" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(main())
