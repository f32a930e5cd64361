package web

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode"

	_ "golang.org/x/image/webp" // decodes WebP pictures

	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/photo"
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
	op := photo.Opaque(decoded)
	img := photo.RGBA(decoded)
	if format == "jpeg" {
		img = photo.Orient(img, photo.JPEGOrientation(data))
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
		u, err := as.addPicture(fmt.Sprintf("%s-%dw", name, w), photo.Scale(img, b, w, h), p.Opaque)
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
		u, err := as.addPicture(fmt.Sprintf("%s-sq%d", name, s), photo.Scale(img, square, s, s), p.Opaque)
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
