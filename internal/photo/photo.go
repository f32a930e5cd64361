// Package photo reads the photos customers add to a booking and makes the
// copies that are kept: decoded by a real image decoder (so anything that
// is not a JPEG, PNG or WebP picture is refused), turned upright, scaled
// down when huge, and encoded afresh, so that no EXIF block (camera, GPS
// position), XMP, ICC profile or comment of the file survives. It also
// makes the small thumbnail staff see.
//
// It does no I/O: bytes in, bytes out.
package photo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/webp"
)

// Limits of a photo.
const (
	// MaxBytes is the largest file accepted: 10 MB.
	MaxBytes = 10 << 20
	// MaxPixels bounds the decoded picture (checked from the header before
	// decoding): a small file that claims to be huge (a decompression
	// bomb) is refused before it takes any memory. A 48 MP phone picture
	// passes.
	MaxPixels = 50_000_000
	// MaxSide is the longest side of the copy kept; larger pictures are
	// scaled down to it (enough to see the detail of a stone).
	MaxSide = 3000
	// ThumbSide is the longest side of the thumbnail.
	ThumbSide = 320
)

// Content types of the copies kept.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
)

// Errors of Process. The messages are for the customer.
var (
	// ErrNotImage is a file that is not a JPEG, PNG or WebP picture.
	ErrNotImage = errors.New("the file is not a JPEG, PNG or WebP picture")
	// ErrHEIC is an iPhone's HEIC (or AVIF) picture, which is not
	// accepted (no decoder in the standard toolset reads it safely).
	ErrHEIC = errors.New("HEIC and AVIF pictures (the iPhone's default) are not accepted: please send a JPEG, PNG or WebP " +
		"(on an iPhone, Settings > Camera > Formats > Most Compatible, or choose the photo from the browser's photo picker, which converts it)")
	// ErrTooManyPixels is a picture over MaxPixels.
	ErrTooManyPixels = fmt.Errorf("the picture has more than %d megapixels", MaxPixels/1_000_000)
)

// Photo is a processed photo: the copy to keep and its thumbnail.
type Photo struct {
	ContentType   string // JPEG, or PNG for a picture with transparency
	Data          []byte
	Width, Height int
	Thumb         []byte // JPEG, at most ThumbSide on its longest side
}

// Format names the kind of file data starts like: "jpeg", "png", "webp",
// "heic" (HEIC, HEIF or AVIF), or "" for anything else.
func Format(data []byte) string {
	switch {
	case len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		return "jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "webp"
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		switch string(data[8:12]) {
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1", "avif", "avis":
			return "heic"
		}
	}
	return ""
}

// slots bounds how many photos are decoded at once: a 50 MP picture takes
// some 200 MB while it is decoded and turned, so two at a time keep a
// burst of uploads within half a gigabyte.
var slots = make(chan struct{}, 2)

// Process reads data (a whole file, at most MaxBytes) and makes the copy
// to keep. It waits for a free decoding slot, or for ctx.
func Process(ctx context.Context, data []byte) (*Photo, error) {
	format := Format(data)
	switch format {
	case "":
		return nil, ErrNotImage
	case "heic":
		return nil, ErrHEIC
	}
	decode, decodeConfig := decoders(format)
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNotImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, ErrTooManyPixels
	}
	select {
	case slots <- struct{}{}:
		defer func() { <-slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	decoded, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNotImage, err)
	}
	op := Opaque(decoded)
	img := RGBA(decoded)
	decoded = nil
	if format == "jpeg" {
		img = Orient(img, JPEGOrientation(data))
	}
	img = fit(img, MaxSide)
	p := &Photo{Width: img.Rect.Dx(), Height: img.Rect.Dy()}
	var buf bytes.Buffer
	if op {
		p.ContentType = JPEG
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88})
	} else {
		p.ContentType = PNG
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&buf, img)
	}
	if err != nil {
		return nil, fmt.Errorf("photo: encode: %w", err)
	}
	p.Data = buf.Bytes()
	if p.Thumb, err = thumbnail(img); err != nil {
		return nil, err
	}
	return p, nil
}

func decoders(format string) (func(r *bytes.Reader) (image.Image, error), func(r *bytes.Reader) (image.Config, error)) {
	switch format {
	case "jpeg":
		return func(r *bytes.Reader) (image.Image, error) { return jpeg.Decode(r) },
			func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) }
	case "png":
		return func(r *bytes.Reader) (image.Image, error) { return png.Decode(r) },
			func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) }
	}
	return func(r *bytes.Reader) (image.Image, error) { return webp.Decode(r) },
		func(r *bytes.Reader) (image.Config, error) { return webp.DecodeConfig(r) }
}

// fit scales img down so that its longest side is at most side.
func fit(img *image.RGBA, side int) *image.RGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		h, w = max(1, (h*side+w/2)/w), side
	} else {
		w, h = max(1, (w*side+h/2)/h), side
	}
	return Scale(img, img.Rect, w, h)
}

// thumbnail is img fitted into ThumbSide, on white where it is
// transparent, as a JPEG.
func thumbnail(img *image.RGBA) ([]byte, error) {
	small := fit(img, ThumbSide)
	flat := image.NewRGBA(small.Rect)
	stddraw.Draw(flat, flat.Rect, image.NewUniform(color.White), image.Point{}, stddraw.Src)
	stddraw.Draw(flat, flat.Rect, small, small.Rect.Min, stddraw.Over)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, flat, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("photo: thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}
