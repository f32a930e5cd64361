#!/bin/sh
# Remakes the web font files in web/static/fonts from Debian's
# fonts-ebgaramond (EB Garamond by Georg Duffner, SIL Open Font Licence 1.1),
# subset to Latin (Basic, Latin-1, Latin Extended A and B, Latin Extended
# Additional for Vietnamese names, general punctuation, the euro and the
# trade mark sign) and compressed as WOFF2. Chinese text falls back to the
# system CJK serif fonts named in app.css.
#
#   apt-get install fonts-ebgaramond fonttools python3-brotli
#   sh web/fonts/subset.sh
set -eu
src=${EBGARAMOND_DIR:-/usr/share/fonts/opentype/ebgaramond}
out=$(dirname "$0")/../static/fonts
unicodes="U+0000-024F,U+0259,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0300-0301,U+0303,U+0309,U+0323,U+1E00-1EFF,U+2000-206F,U+2074,U+20AC,U+2122,U+2190-2193,U+2212,U+2215,U+FEFF,U+FFFD"
for face in Regular Italic; do
	lower=$(echo "$face" | tr 'A-Z' 'a-z')
	pyftsubset "$src/EBGaramond12-$face.otf" \
		--unicodes="$unicodes" \
		--layout-features='kern,liga,clig,calt,onum,lnum,pnum,tnum,smcp,c2sc,case,ccmp,locl,mark,mkmk' \
		--flavor=woff2 --no-hinting --desubroutinize \
		--output-file="$out/ebgaramond-$lower.woff2"
done
cp /usr/share/doc/fonts-ebgaramond/copyright "$out/LICENSE-EBGaramond.txt"
