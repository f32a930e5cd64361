#!/bin/bash
# build.sh SRC OUT: binaries of the checkout SRC into OUT
set -e
src=$1; out=$2; mkdir -p $out
cd $src
go build -o $out/atelier ./cmd/atelier
go build -o $out/atelier-load ./cmd/atelier-load
go test -c -o $out/load.test ./cmd/atelier-load
