#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the repository's own fixtures, so that no corpus needs
# committing. Safe to rerun: files are named by content hash. Run from anywhere.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/fuzz/corpus"
regressions="$root/tests/fixtures/fuzz"

# put TARGET FILE: copies FILE into the target's corpus under its SHA-1.
put() {
    local target="$1" file="$2"
    mkdir -p "$corpus/$target"
    cp "$file" "$corpus/$target/$(sha1sum "$file" | cut -c1-40)"
}

# put_text TARGET TEXT: a seed from a string.
put_text() {
    local tmp
    tmp="$(mktemp)"
    printf '%s' "$2" > "$tmp"
    put "$1" "$tmp"
    rm -f "$tmp"
}

pages=("$root"/tests/fixtures/pages/*.html "$root"/samples/pages/*.html "$root"/samples/later/*.html)

# extract: the first byte selects the Content-Type (see fuzz_targets/extract.rs): 0 none,
# 1 utf-8, 2 windows-1252, 5 shift_jis.
for page in "${pages[@]}"; do
    for selector in 0 1 2 5; do
        tmp="$(mktemp)"
        printf "\\x0$selector" > "$tmp"
        cat "$page" >> "$tmp"
        put extract "$tmp"
        rm -f "$tmp"
    done
done

# prefilter: the same pages and selectors as extract, and a few claims hidden the ways the
# prefilter must see through (tags, references, invisible characters, JSON-LD escapes, UTF-16).
for page in "${pages[@]}"; do
    for selector in 0 2 6; do
        tmp="$(mktemp)"
        printf "\\x0$selector" > "$tmp"
        cat "$page" >> "$tmp"
        put prefilter "$tmp"
        rm -f "$tmp"
    done
done
put_text prefilter $'\x01<p>Sec<b>Num</b>Cl&#x6F;ud&shy;</p><img alt="h&eacute;bergeur de donn\xc3\xa9es de sant\xc3\xa9">'
put_text prefilter $'\x01<table><tr><td>de confiance</td></tr>cloud</table><svg><title>HDS</title></svg>'
put_text prefilter $'\x01<script type="application/ld+json">{"name":"\\u0053ecNumCloud"}</script><title><hds></title>'
tmp="$(mktemp)"
printf '\x00\xff\xfe' > "$tmp"
printf '<p>Nuvexa HDS</p>' | iconv -f utf-8 -t utf-16le >> "$tmp"
put prefilter "$tmp"
rm -f "$tmp"

# detect: every example sentence of the bundled pattern files (TOML-decoded, so that their
# \u escapes become the characters themselves), and the raw pages.
tmpdir="$(mktemp -d)"
python3 - "$root/patterns" "$tmpdir" <<'PY'
import pathlib, sys, tomllib
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
for f in sorted(src.glob("*.toml")):
    for ex in tomllib.loads(f.read_text()).get("example", []):
        (out / f"{n}.txt").write_text(ex["text"])
        n += 1
PY
for f in "$tmpdir"/*.txt; do put detect "$f"; done
rm -rf "$tmpdir"
for page in "${pages[@]}"; do put detect "$page"; done

# config, patterns, registry: the repository's own files.
for f in "$root"/config/claimwatch.toml "$root"/samples/claimwatch.toml "$root"/tests/fixtures/claimwatch.toml; do
    put config "$f"
done
for f in "$root"/patterns/*.toml; do put patterns "$f"; done
for f in "$root"/config/registry.toml "$root"/samples/registry.toml "$root"/tests/fixtures/registry.toml; do
    put registry "$f"
done

# robots: no robots.txt fixture in the repository; a few files covering the syntax (the last
# line doubles as the path matched, see fuzz_targets/robots.rs).
put_text robots $'User-agent: *\nDisallow: /private/\nAllow: /private/ok$\nCrawl-delay: 1.5\nSitemap: https://example.com/sitemap.xml\n/private/x'
put_text robots $'\xef\xbb\xbfuser-agent: claimwatch\r\nuser-agent: googlebot\r\ndisallow: /*.pdf$\r\ndisallow: /a*b*c\r\nallow: /%7Euser/\r\n\r\nUser-agent: *\r\nDisallow: /\r\n/a/xbyc.pdf'
put_text robots $'useragent: claimwatch\ndissallow: /x\n# comment\ndisallow:\n\nUser-agent: Foo Bar\nDisallow: /caf\xe9\n/caf%E9'

# The Google conformance cases beside the repository (see tests/robots.rs), when present.
conformance="${CLAIMWATCH_CONFORMANCE_DIR:-$root/../shared/conformance}/robots_google.jsonl"
if [ -f "$conformance" ]; then
    tmpdir="$(mktemp -d)"
    python3 - "$conformance" "$tmpdir" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[2])
for n, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    if line.strip():
        case = json.loads(line)
        (out / f"{n}").write_bytes((case["robots"] + "\n" + case["url"]).encode())
PY
    for f in "$tmpdir"/*; do put robots "$f"; done
    rm -rf "$tmpdir"
fi

# sitemap: an urlset, an index, a plain list, and a gzipped urlset.
urlset='<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"><url><loc>https://example.com/a?x=1&amp;y=&#233;</loc><image:image><image:loc>https://example.com/i.png</image:loc></image:image></url><url><loc><![CDATA[https://example.com/b]]></loc></url></urlset>'
put_text sitemap "$urlset"
put_text sitemap '<sitemapindex><sitemap><loc>https://example.com/pages.xml</loc></sitemap></sitemapindex>'
put_text sitemap $'\xef\xbb\xbf https://example.com/one\nhttp://example.com/two\nnot a url\n'
tmp="$(mktemp)"
printf '%s' "$urlset" | gzip -c > "$tmp"
put sitemap "$tmp"
rm -f "$tmp"

# pdf: a small hand-written document (WinAnsi text, document info), and fixture pages printed
# by headless Chromium (Identity-H fonts with ToUnicode maps) when it is installed.
tmpdir="$(mktemp -d)"
python3 - "$tmpdir/hand.pdf" <<'PY'
import sys
objects = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    None,
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    b"<< /Title (Fiche produit) /Subject (Offre qualifi\351e SecNumCloud) /Keywords (cloud, h\351bergement) >>",
]
stream = b"BT /F1 12 Tf 72 770 Td (Notre offre est quali-) Tj 0 -14 Td (fi\351e SecNumCloud.) Tj ET"
objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
out = bytearray(b"%PDF-1.4\n")
offsets = []
for n, body in enumerate(objects, 1):
    offsets.append(len(out))
    out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
for o in offsets:
    out += b"%010d 00000 n \n" % o
out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
open(sys.argv[1], "wb").write(out)
PY
put pdf "$tmpdir/hand.pdf"
if command -v chromium >/dev/null 2>&1; then
    for page in "${pages[@]:0:4}"; do
        chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
            --user-data-dir="$tmpdir/profile" --no-pdf-header-footer --print-to-pdf="$tmpdir/printed.pdf" \
            "file://$page" >/dev/null 2>&1 && put pdf "$tmpdir/printed.pdf"
    done
fi
rm -rf "$tmpdir"

# Inputs that once crashed a target stay in its corpus.
if [ -d "$regressions" ]; then
    for dir in "$regressions"/*/; do
        target="$(basename "$dir")"
        for f in "$dir"*; do [ -f "$f" ] && put "$target" "$f"; done
    done
fi

for dir in "$corpus"/*/; do
    printf '%-10s %4d seeds\n' "$(basename "$dir")" "$(find "$dir" -type f | wc -l)"
done
