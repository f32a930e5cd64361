// Package phototest makes pictures for tests: gradients, and JPEGs with
// an EXIF block holding a GPS position, as a phone writes them.
package phototest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// GPSMarker is a string inside the GPS block of GPSJPEG's files: a copy
// that holds it kept the metadata.
const GPSMarker = "GPS-SECRET"

// Picture is a w×h gradient with a red mark in its top-left corner, so a
// turned copy can be told apart.
func Picture(w, h int, alpha bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if alpha && x < w/2 {
				a = 0
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, a})
		}
	}
	for y := range h / 8 {
		for x := range w / 8 {
			img.SetNRGBA(x, y, color.NRGBA{255, 0, 0, 255})
		}
	}
	return img
}

// GPSJPEG is a w×h JPEG whose EXIF block holds a GPS position (Singapore)
// and orientation o, the way a phone writes one.
func GPSJPEG(tb testing.TB, w, h, o int) []byte {
	tb.Helper()
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, Picture(w, h, false), &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return WithEXIF(plain.Bytes(), o)
}

// WithEXIF inserts an APP1 EXIF segment (orientation o, a GPS IFD with
// latitude 1°17' N, longitude 103°51' E and the marker "GPS-SECRET") after
// the SOI of a JPEG.
func WithEXIF(jpg []byte, o int) []byte {
	le := binary.LittleEndian
	var t bytes.Buffer
	t.WriteString("II")
	binary.Write(&t, le, uint16(42))
	binary.Write(&t, le, uint32(8))
	// IFD0 at 8: orientation, GPS IFD pointer.
	binary.Write(&t, le, uint16(2))
	entry := func(tag, typ uint16, count, value uint32) {
		binary.Write(&t, le, tag)
		binary.Write(&t, le, typ)
		binary.Write(&t, le, count)
		binary.Write(&t, le, value)
	}
	entry(0x0112, 3, 1, uint32(o))
	gpsAt := uint32(8 + 2 + 2*12 + 4)
	entry(0x8825, 4, 1, gpsAt)
	binary.Write(&t, le, uint32(0))
	// GPS IFD: N, latitude (3 rationals), E, longitude, and a processing
	// method string holding a marker to look for.
	binary.Write(&t, le, uint16(5))
	dataAt := gpsAt + 2 + 5*12 + 4
	entry(0x0001, 2, 2, uint32('N'))
	entry(0x0002, 5, 3, dataAt)
	entry(0x0003, 2, 2, uint32('E'))
	entry(0x0004, 5, 3, dataAt+24)
	entry(0x001B, 7, 10, dataAt+48)
	binary.Write(&t, le, uint32(0))
	for _, r := range []uint32{1, 1, 17, 1, 0, 1, 103, 1, 51, 1, 0, 1} {
		binary.Write(&t, le, r)
	}
	t.WriteString(GPSMarker)
	seg := append([]byte("Exif\x00\x00"), t.Bytes()...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// PNG is a w×h opaque PNG.
func PNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, Picture(w, h, false)); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
