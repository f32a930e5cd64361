package web

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/config"
)

// halves is a w×h picture, red on the left half and blue on the right.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{200, 20, 20, 255}
			if x >= w/2 {
				c = color.RGBA{20, 20, 200, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// withExif puts an EXIF segment after the JPEG's SOI: orientation o and a
// camera make that must not survive.
func withExif(t *testing.T, jpg []byte, o uint16) []byte {
	t.Helper()
	le := binary.LittleEndian
	tiff := []byte("II*\x00")
	tiff = le.AppendUint32(tiff, 8)
	tiff = le.AppendUint16(tiff, 2) // two entries
	make := "SecretCamera Z9\x00"
	tiff = le.AppendUint16(tiff, 0x010F) // Make, ASCII
	tiff = le.AppendUint16(tiff, 2)
	tiff = le.AppendUint32(tiff, uint32(len(make)))
	tiff = le.AppendUint32(tiff, 8+2+2*12+4)
	tiff = le.AppendUint16(tiff, 0x0112) // Orientation, SHORT
	tiff = le.AppendUint16(tiff, 3)
	tiff = le.AppendUint32(tiff, 1)
	tiff = le.AppendUint16(tiff, o)
	tiff = le.AppendUint16(tiff, 0)
	tiff = le.AppendUint32(tiff, 0) // no next directory
	tiff = append(tiff, make...)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1}
	app1 = binary.BigEndian.AppendUint16(app1, uint16(len(seg)+2))
	app1 = append(app1, seg...)
	return append(append([]byte{0xFF, 0xD8}, app1...), jpg[2:]...)
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func decodeAsset(t *testing.T, as *assets, url string) (image.Image, string, []byte) {
	t.Helper()
	a, ok := as.byHashed[strings.TrimPrefix(url, staticPrefix)]
	if !ok {
		t.Fatalf("no asset %s", url)
	}
	img, format, err := image.Decode(bytes.NewReader(a.body))
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return img, format, a.body
}

// TestLoadPicture checks the resize of a camera JPEG: turned upright by
// its EXIF orientation, three widths of the upright picture in srcset,
// square thumbnails, and no EXIF left in any file.
func TestLoadPicture(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, halves(3600, 1800), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	// Orientation 6: the camera was turned; the picture is shown rotated a
	// quarter turn clockwise, 1800 wide and 3600 high, red on top.
	file := writeFile(t, dir, "bench.jpg", withExif(t, buf.Bytes(), 6))
	as := &assets{byHashed: map[string]asset{}, url: map[string]string{}}
	p, err := as.loadPicture(config.PhotoRef{Key: "atelier.photos[0]", Path: file, Alt: "The bench"}, "atelier-photos-0")
	if err != nil {
		t.Fatal(err)
	}
	if p.Alt != "The bench" || !p.Opaque {
		t.Errorf("picture %+v", p)
	}
	var widths []string
	for _, entry := range strings.Split(p.SrcSet, ", ") {
		url, w, _ := strings.Cut(entry, " ")
		widths = append(widths, w)
		img, format, body := decodeAsset(t, as, url)
		b := img.Bounds()
		if format != "jpeg" || w != strconv.Itoa(b.Dx())+"w" || b.Dy() != 2*b.Dx() {
			t.Errorf("%s: %s %d×%d, want a %s-wide portrait twice as high", url, format, b.Dx(), b.Dy(), w)
		}
		if bytes.Contains(body, []byte("Exif")) || bytes.Contains(body, []byte("SecretCamera")) {
			t.Errorf("%s still carries the EXIF data", url)
		}
		if r, _, bl, _ := img.At(b.Dx()/2, b.Dy()/10).RGBA(); r < bl {
			t.Errorf("%s: the top is not red: not turned upright", url)
		}
		if r, _, bl, _ := img.At(b.Dx()/2, b.Dy()*9/10).RGBA(); r > bl {
			t.Errorf("%s: the bottom is not blue", url)
		}
		if !strings.HasPrefix(url, "/static/media/atelier-photos-0-") {
			t.Errorf("url %s", url)
		}
	}
	if got := strings.Join(widths, " "); got != "480w 960w 1600w" {
		t.Errorf("srcset widths %s, want 480w 960w 1600w", got)
	}
	if p.Width != 960 || p.Height != 1920 || !strings.Contains(p.SrcSet, p.Src+" 960w") {
		t.Errorf("src %s is %d×%d, want the 960 size", p.Src, p.Width, p.Height)
	}
	if !strings.HasSuffix(p.ThumbSet, " 320w") || !strings.Contains(p.ThumbSet, p.Thumb+" 160w") {
		t.Errorf("thumbs %q", p.ThumbSet)
	}
	img, _, _ := decodeAsset(t, as, p.Thumb)
	if b := img.Bounds(); b.Dx() != 160 || b.Dy() != 160 {
		t.Errorf("thumbnail %v, want 160×160", b)
	}
}

// TestLoadPictureSmallAndTransparent checks that a small logo with
// transparency is never scaled up and stays a PNG with its transparency.
func TestLoadPictureSmallAndTransparent(t *testing.T) {
	dir := t.TempDir()
	logo := image.NewNRGBA(image.Rect(0, 0, 300, 120))
	logo.SetNRGBA(150, 60, color.NRGBA{30, 77, 69, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, logo); err != nil {
		t.Fatal(err)
	}
	as := &assets{byHashed: map[string]asset{}, url: map[string]string{}}
	p, err := as.loadPicture(config.PhotoRef{Key: "atelier.logo", Path: writeFile(t, dir, "logo.png", buf.Bytes()), Alt: "Logo"}, "atelier-logo")
	if err != nil {
		t.Fatal(err)
	}
	if p.Opaque || strings.Count(p.SrcSet, ",") != 0 || !strings.HasSuffix(p.SrcSet, " 300w") || p.Width != 300 || p.Height != 120 {
		t.Errorf("logo %+v, want one 300w PNG", p)
	}
	img, format, _ := decodeAsset(t, as, p.Src)
	if _, _, _, a := img.At(0, 0).RGBA(); format != "png" || a != 0 {
		t.Errorf("logo is %s with alpha %d at a transparent corner", format, a)
	}
}

// TestLoadPictureErrors checks that a missing or unreadable file is an
// error naming the configuration key and the file.
func TestLoadPictureErrors(t *testing.T) {
	dir := t.TempDir()
	as := &assets{byHashed: map[string]asset{}, url: map[string]string{}}
	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{name: "Missing", file: "gone.jpg", want: "services[2].photo: " + filepath.Join(dir, "gone.jpg") + ": no such file"},
		{name: "NotAPicture", file: "notes.jpg", data: []byte("not a picture"), want: "services[2].photo: " + filepath.Join(dir, "notes.jpg") + " is not a JPEG, PNG or WebP picture that can be read"},
		{name: "Huge", file: "huge.png", data: pngHeader(10000, 5000), want: "services[2].photo: " + filepath.Join(dir, "huge.png") + " is 10000×5000 pixels; at most 40 megapixels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			if tc.data != nil {
				writeFile(t, dir, tc.file, tc.data)
			}
			_, err := as.loadPicture(config.PhotoRef{Key: "services[2].photo", Path: path, Alt: "x"}, "s")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestLoadPictureWebP checks that a WebP file (testdata/media/halves.webp,
// made with `cwebp -q 80` from a 640×400 picture red on the left half and
// blue on the right) is decoded and resized like the others.
func TestLoadPictureWebP(t *testing.T) {
	as := &assets{byHashed: map[string]asset{}, url: map[string]string{}}
	p, err := as.loadPicture(config.PhotoRef{Key: "services[0].photo", Path: filepath.Join("testdata", "media", "halves.webp"), Alt: "Halves"}, "s0")
	if err != nil {
		t.Fatal(err)
	}
	if p.SrcSet == "" || !strings.HasSuffix(p.SrcSet, " 640w") || p.Width != 640 || p.Height != 400 {
		t.Fatalf("picture %+v, want 480w and 640w sizes", p)
	}
	img, format, _ := decodeAsset(t, as, p.Src)
	if r, _, b, _ := img.At(100, 200).RGBA(); format != "jpeg" || r < b {
		t.Errorf("%s: the left is not red", format)
	}
	if r, _, b, _ := img.At(540, 200).RGBA(); r > b {
		t.Error("the right is not blue")
	}
}

// pngHeader is the start of a PNG file of w×h pixels: enough for its size
// to be read, not for the picture.
func pngHeader(w, h uint32) []byte {
	ihdr := []byte("IHDR")
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, uint32(len(ihdr)-4))
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}
