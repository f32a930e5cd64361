package photo_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/atelier-app/atelier/internal/photo"
	"github.com/atelier-app/atelier/internal/photo/phototest"
)

func TestProcessStripsEXIFAndTurnsUpright(t *testing.T) {
	data := phototest.GPSJPEG(t, 200, 100, 6) // stored landscape, shown turned 90° clockwise
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
	if err := png.Encode(&pngData, phototest.Picture(800, 400, true)); err != nil {
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
	if err := jpeg.Encode(&buf, phototest.Picture(4000, 1000, false), nil); err != nil {
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
		{"TruncatedJPEG", phototest.GPSJPEG(t, 64, 64, 1)[:300], photo.ErrNotImage},
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
