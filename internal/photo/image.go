package photo

import (
	"encoding/binary"
	"image"
	stddraw "image/draw"

	"golang.org/x/image/draw"
)

// The image steps shared by the configured pictures (internal/web) and
// the photos customers send (Process): copying into RGBA, turning upright
// by the EXIF orientation, and resampling.

// Scale resamples the part r of src to w×h: halved with a 2×2 box filter
// while at least twice the size asked for (fast, and exact for what it
// averages), then Catmull-Rom (the sharpest of x/image/draw's kernels),
// whose cost grows with the ratio.
func Scale(src *image.RGBA, r image.Rectangle, w, h int) *image.RGBA {
	if r.Dx() >= 2*w && r.Dy() >= 2*h {
		sub := src.SubImage(r).(*image.RGBA)
		half := halve(sub)
		return Scale(half, half.Bounds(), w, h)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, r, draw.Src, nil)
	return dst
}

// halve averages each 2×2 block of src (a last odd row or column is
// dropped).
func halve(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx()/2, b.Dy()/2
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		r0 := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+2*y):]
		r1 := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+2*y+1):]
		d := dst.Pix[y*dst.Stride:]
		for x := range w {
			for c := range 4 {
				i := 8*x + c
				d[4*x+c] = uint8((uint(r0[i]) + uint(r0[i+4]) + uint(r1[i]) + uint(r1[i+4]) + 2) / 4)
			}
		}
	}
	return dst
}

// Opaque reports whether img has no transparent pixel.
func Opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0xffff {
				return false
			}
		}
	}
	return true
}

// JPEGOrientation reads the EXIF orientation (1 to 8) of a JPEG file, 1
// when it has none: cameras store a portrait as a landscape picture with
// this tag, which the new encoding does not carry, so it is applied.
func JPEGOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		if marker == 0xDA || marker == 0xD9 { // start of scan: no more metadata
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) > 14 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation finds tag 0x0112 in the first directory of a TIFF header.
func tiffOrientation(t []byte) int {
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off+2 > len(t) {
		return 1
	}
	count := int(bo.Uint16(t[off:]))
	for k := range count {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// RGBA copies img into an RGBA picture at the origin (image/draw has
// fast paths from the decoders' types), which the other steps work on.
func RGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	stddraw.Draw(dst, dst.Bounds(), img, b.Min, stddraw.Src)
	return dst
}

// Orient turns img upright by EXIF orientation o (1: as stored; 2 to 8:
// mirrored and/or turned, TIFF 6.0 / EXIF 2.3 section 4.6.4).
func Orient(img *image.RGBA, o int) *image.RGBA {
	if o <= 1 || o > 8 {
		return img
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		src := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := range w {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			copy(dst.Pix[dy*dst.Stride+4*dx:], src[4*x:4*x+4])
		}
	}
	return dst
}
