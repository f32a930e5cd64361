package web

import (
	"errors"
	"runtime"
	"strconv"
	"sync"

	"github.com/atelier-app/atelier/internal/config"
)

// face is what the configuration says about the atelier's look and words
// beyond the catalogue: the landing page's text, the pictures (resized at
// start). The services' "what to bring" is internal/invite's (SetAdvice).
type face struct {
	Tagline, Intro, Directions string
	Logo                       *picture
	Photos                     []*picture
	services, artisans         map[string]*picture // by ID
}

// The landing page's words when the configuration gives none.
const (
	defaultTagline = "Bespoke jewellery, made by hand"
	defaultIntro   = "Sit down with one of our artisans to design an engagement ring, reset an heirloom or find your size. Come to the atelier, or meet us by video call from wherever you are."
)

// UseConfig takes the landing page's words and the pictures from cfg. It reads, decodes and resizes every picture now, so that
// a missing or unreadable file stops the start with an error naming its
// key; the sizes are served with the static files, under hashed URLs.
func (s *Server) UseConfig(cfg *config.Config) error {
	f := &face{
		Tagline: cfg.Atelier.Tagline, Intro: cfg.Atelier.Intro, Directions: cfg.Atelier.Directions,
		services: map[string]*picture{}, artisans: map[string]*picture{},
	}
	if f.Tagline == "" {
		f.Tagline = defaultTagline
	}
	if f.Intro == "" {
		f.Intro = defaultIntro
	}
	// Pictures are resized a few at a time, one per core.
	refs := cfg.Photos()
	pics, errs := make([]*picture, len(refs)), make([]error, len(refs))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			pics[i], errs[i] = s.assets.loadPicture(ref, mediaName(ref.Key))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	byKey := map[string]*picture{}
	for i, ref := range refs {
		byKey[ref.Key] = pics[i]
	}
	f.Logo = byKey["atelier.logo"]
	for i := range cfg.Atelier.Photos {
		if p := byKey[photoKey("atelier.photos", i, "")]; p != nil {
			f.Photos = append(f.Photos, p)
		}
	}
	for i, sv := range cfg.Services {
		if p := byKey[photoKey("services", i, ".photo")]; p != nil {
			f.services[sv.ID] = p
		}
	}
	for i, ar := range cfg.Artisans {
		if p := byKey[photoKey("artisans", i, ".photo")]; p != nil {
			f.artisans[ar.ID] = p
		}
	}
	s.face = f
	return nil
}

// defaultFace is the face of a server whose configuration was not given
// (UseConfig not called): today's words, no pictures.
func defaultFace() *face {
	return &face{Tagline: defaultTagline, Intro: defaultIntro}
}

func photoKey(list string, i int, suffix string) string {
	return list + "[" + strconv.Itoa(i) + "]" + suffix
}
