package photo_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/atelier-app/atelier/internal/photo"
)

// picture is a w×h gradient with a red mark in its top-left corner, so a
// turned copy can be told apart.
func picture(w, h int, alpha bool) *image.NRGBA {
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
	if err := jpeg.Encode(&plain, picture(w, h, false), &jpeg.Options{Quality: 90}); err != nil {
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
	t.WriteString("GPS-SECRET")
	seg := append([]byte("Exif\x00\x00"), t.Bytes()...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func TestProcessStripsEXIFAndTurnsUpright(t *testing.T) {
	data := GPSJPEG(t, 200, 100, 6) // stored landscape, shown turned 90° clockwise
	if !bytes.Contains(data, []byte("GPS-SECRET")) || !bytes.Contains(data, []byte("Exif")) {
		t.Fatal("the test file has no EXIF")
	}
	p, err := photo.Process(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != photo.JPEG || p.Width != 100 || p.Height != 200 {
		t.Errorf("got %s %d×%d, want image/jpeg 100×200 (turned upright)", p.ContentType, p.Width, p.Height)
	}
	for _, marker := range []string{"Exif", "GPS-SECRET", "II*\x00"} {
		if bytes.Contains(p.Data, []byte(marker)) || bytes.Contains(p.Thumb, []byte(marker)) {
			t.Errorf("the stored copy still holds %q", marker)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(p.Data))
	if err != nil {
		t.Fatal(err)
	}
	// Orientation 6: the stored top-left corner (red) is now top-right.
	if r, g, _, _ := img.At(95, 5).RGBA(); r>>8 < 200 || g>>8 > 60 {
		t.Errorf("top-right pixel %v, want the red mark", img.At(95, 5))
	}
	th, err := jpeg.DecodeConfig(bytes.NewReader(p.Thumb))
	if err != nil || th.Width != 100 || th.Height != 200 {
		t.Errorf("thumbnail %+v %v, want 100×200 (small pictures are not enlarged)", th, err)
	}
}

func TestProcessFormats(t *testing.T) {
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, picture(800, 400, true)); err != nil {
		t.Fatal(err)
	}
	p, err := photo.Process(context.Background(), pngData.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != photo.PNG || p.Width != 800 || p.Height != 400 {
		t.Errorf("transparent PNG kept as %s %d×%d", p.ContentType, p.Width, p.Height)
	}
	if th, err := jpeg.DecodeConfig(bytes.NewReader(p.Thumb)); err != nil || th.Width != 320 || th.Height != 160 {
		t.Errorf("thumbnail %+v %v, want a 320×160 JPEG", th, err)
	}

	webp, err := os.ReadFile(filepath.Join("..", "web", "testdata", "media", "halves.webp"))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := photo.Process(context.Background(), webp); err != nil || p.ContentType != photo.JPEG || p.Width == 0 {
		t.Errorf("WebP: %+v, %v", p, err)
	}
}

func TestProcessScalesDownHugePictures(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(4000, 1000, false), nil); err != nil {
		t.Fatal(err)
	}
	p, err := photo.Process(context.Background(), buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != photo.MaxSide || p.Height != 750 {
		t.Errorf("kept %d×%d, want %d×750", p.Width, p.Height, photo.MaxSide)
	}
}

func TestProcessRefuses(t *testing.T) {
	// A PNG header that claims 100000×100000 pixels: refused from the
	// header, before anything is decoded.
	var bomb bytes.Buffer
	if err := png.Encode(&bomb, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := bomb.Bytes()
	binary.BigEndian.PutUint32(b[16:], 100000)
	binary.BigEndian.PutUint32(b[20:], 100000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))

	heic := append([]byte{0, 0, 0, 0x18}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"Text", []byte("hello, this is not a picture"), photo.ErrNotImage},
		{"PDF", []byte("%PDF-1.7\n1 0 obj"), photo.ErrNotImage},
		{"TruncatedJPEG", GPSJPEG(t, 64, 64, 1)[:300], photo.ErrNotImage},
		{"HEIC", heic, photo.ErrHEIC},
		{"Bomb", b, photo.ErrTooManyPixels},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := photo.Process(context.Background(), tt.data); !errors.Is(err, tt.want) {
				t.Errorf("Process = %v, want %v", err, tt.want)
			}
		})
	}
}
