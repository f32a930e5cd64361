package web

import (
	"cmp"
	"errors"
	"runtime"
	"strconv"
	"sync"

	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
)

// face is what the configuration says about the atelier's look and words
// beyond the catalogue: the landing page's text, the pictures (resized at
// start). Its words are in one language at a time (in); the services'
// "what to bring" is the Server's advice.
type face struct {
	Tagline, Intro, Directions string
	Logo                       *picture
	Photos                     []*picture
	services, artisans         map[string]*picture // by ID
	// tagline, intro and directions are the configured words in each
	// language; empty ones take the catalogue's general words.
	tagline, intro, directions i18n.Text
}

// in is the face with its words in l.
func (f *face) in(l *i18n.Lang) *face {
	c := *f
	c.Tagline = cmp.Or(f.tagline.In(l.Name()), l.T("home.default_tagline"))
	c.Intro = cmp.Or(f.intro.In(l.Name()), l.T("home.default_intro"))
	c.Directions = f.directions.In(l.Name())
	return &c
}

// UseConfig takes the landing page's words and the pictures from cfg. It reads, decodes and resizes every picture now, so that
// a missing or unreadable file stops the start with an error naming its
// key; the sizes are served with the static files, under hashed URLs.
func (s *Server) UseConfig(cfg *config.Config) error {
	langs, err := cfg.Catalogue()
	if err != nil {
		return err
	}
	s.langs, s.advice, s.secure = langs, invite.AdviceOf(cfg), cfg.Server.Secure()
	s.embedAncestors = cfg.Server.EmbedAncestors()
	f := &face{
		tagline: i18n.Text(cfg.Atelier.Tagline), intro: i18n.Text(cfg.Atelier.Intro), directions: i18n.Text(cfg.Atelier.Directions),
		services: map[string]*picture{}, artisans: map[string]*picture{},
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
	return &face{}
}

func photoKey(list string, i int, suffix string) string {
	return list + "[" + strconv.Itoa(i) + "]" + suffix
}
