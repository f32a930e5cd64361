package web

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	stddraw "image/draw"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // decodes WebP pictures

	"github.com/atelier-app/atelier/internal/config"
)

// photoWidths are the widths each picture is resized to (never wider than
// the file itself), offered to the browser in srcset.
var photoWidths = []int{480, 960, 1600}

// maxPixels bounds a picture's size, so that a huge file cannot take the
// memory of the start (a 40 MP picture takes 160 MB while it is resized).
const maxPixels = 40_000_000

// thumbSides are the sides of the square thumbnails (artisans' portraits,
// cut from the middle of the picture).
var thumbSides = []int{160, 320}

// picture is one configured picture, resized, as the templates use it.
type picture struct {
	Alt string
	// Src is the middle width, for browsers without srcset; SrcSet lists
	// every width; Width and Height are Src's, so that the page keeps its
	// place while the picture loads.
	Src, SrcSet   string
	Width, Height int
	// Thumb and ThumbSet are the square thumbnails.
	Thumb, ThumbSet string
	// Opaque is false for a picture with transparency (a logo), kept PNG.
	Opaque bool
}

// loadPicture reads, decodes and resizes ref's file and adds its sizes to
// as under "media/". Every error names the configuration key.
func (as *assets) loadPicture(ref config.PhotoRef, name string) (*picture, error) {
	data, err := os.ReadFile(ref.Path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %s: no such file", ref.Key, ref.Path)
		}
		return nil, fmt.Errorf("%s: %w", ref.Key, err)
	}
	if c, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && c.Width*c.Height > maxPixels {
		return nil, fmt.Errorf("%s: %s is %d×%d pixels; at most %d megapixels (resize it first)", ref.Key, ref.Path, c.Width, c.Height, maxPixels/1_000_000)
	}
	decoded, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %s is not a JPEG, PNG or WebP picture that can be read (%v)", ref.Key, ref.Path, err)
	}
	op := opaque(decoded)
	img := toRGBA(decoded)
	if format == "jpeg" {
		img = orient(img, jpegOrientation(data))
	}
	b := img.Bounds()
	if b.Dx() < 16 || b.Dy() < 16 {
		return nil, fmt.Errorf("%s: %s is only %d×%d pixels", ref.Key, ref.Path, b.Dx(), b.Dy())
	}
	p := &picture{Alt: ref.Alt, Opaque: op}
	var set, thumbs []string
	widths := fitWidths(b.Dx())
	for i, w := range widths {
		h := (b.Dy()*w + b.Dx()/2) / b.Dx()
		u, err := as.addPicture(fmt.Sprintf("%s-%dw", name, w), scale(img, b, w, h), p.Opaque)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ref.Key, err)
		}
		set = append(set, u+" "+strconv.Itoa(w)+"w")
		if i == min(1, len(widths)-1) {
			p.Src, p.Width, p.Height = u, w, h
		}
	}
	side := min(b.Dx(), b.Dy())
	square := image.Rect(0, 0, side, side).Add(image.Pt(b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2))
	for _, s := range thumbSides {
		s = min(s, side)
		u, err := as.addPicture(fmt.Sprintf("%s-sq%d", name, s), scale(img, square, s, s), p.Opaque)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ref.Key, err)
		}
		thumbs = append(thumbs, u+" "+strconv.Itoa(s)+"w")
		if p.Thumb == "" {
			p.Thumb = u
		}
	}
	p.SrcSet, p.ThumbSet = strings.Join(set, ", "), strings.Join(thumbs, ", ")
	return p, nil
}

// fitWidths are the photoWidths up to w, and w itself when the file is
// narrower than the next width, so the largest size is never scaled up.
func fitWidths(w int) []int {
	var ws []int
	for _, pw := range photoWidths {
		if pw <= w {
			ws = append(ws, pw)
		}
	}
	if len(ws) == 0 || (ws[len(ws)-1] < w && len(ws) < len(photoWidths)) {
		ws = append(ws, w)
	}
	return ws
}

// scale resamples the part r of src to w×h: halved with a 2×2 box filter
// while at least twice the size asked for (fast, and exact for what it
// averages), then Catmull-Rom (the sharpest of x/image/draw's kernels),
// whose cost grows with the ratio.
func scale(src *image.RGBA, r image.Rectangle, w, h int) *image.RGBA {
	if r.Dx() >= 2*w && r.Dy() >= 2*h {
		sub := src.SubImage(r).(*image.RGBA)
		half := halve(sub)
		return scale(half, half.Bounds(), w, h)
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

// addPicture encodes img (a fresh encoding: no EXIF or other metadata of
// the file survives) and adds it as a static file; it returns its URL.
func (as *assets) addPicture(name string, img *image.RGBA, opaque bool) (string, error) {
	var buf bytes.Buffer
	ext := ".png"
	if opaque {
		ext = ".jpg"
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 82}); err != nil {
			return "", err
		}
	} else if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		return "", err
	}
	as.add("media/"+name+ext, buf.Bytes())
	return as.URL("media/" + name + ext)
}

// opaque reports whether img has no transparent pixel.
func opaque(img image.Image) bool {
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

// jpegOrientation reads the EXIF orientation (1 to 8) of a JPEG file, 1
// when it has none: cameras store a portrait as a landscape picture with
// this tag, which the new encoding does not carry, so it is applied.
func jpegOrientation(data []byte) int {
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

// toRGBA copies img into an RGBA picture at the origin (image/draw has
// fast paths from the decoders' types), which the other steps work on.
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	stddraw.Draw(dst, dst.Bounds(), img, b.Min, stddraw.Src)
	return dst
}

// orient turns img upright by EXIF orientation o (1: as stored; 2 to 8:
// mirrored and/or turned, TIFF 6.0 / EXIF 2.3 section 4.6.4).
func orient(img *image.RGBA, o int) *image.RGBA {
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

// initials are up to two letters standing for name ("Mei Lin Tan" is
// "MT"), shown where there is no picture.
func initials(name string) string {
	var rs []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			if unicode.IsLetter(r) {
				rs = append(rs, unicode.ToUpper(r))
				break
			}
		}
	}
	switch len(rs) {
	case 0:
		return ""
	case 1:
		return string(rs)
	}
	return string([]rune{rs[0], rs[len(rs)-1]})
}

// mediaName is the file name stem of a picture's sizes, from its key
// ("services[1].photo" is "services-1-photo").
func mediaName(key string) string {
	return path.Clean(strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(key))
}
