package config

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Photo is a picture file in atelier.media_dir with the words that stand
// for it for a visitor who cannot see it. The pages resize it at start
// (internal/web).
type Photo struct {
	File string `yaml:"file"` // relative to atelier.media_dir
	Alt  string `yaml:"alt"`
}

// Bring is a service's advice on what to bring to a visit and what to have
// ready for a video call, shown on the confirmation page, in the e-mails
// and in the invitation; an empty one keeps the general advice.
// Each is a Text: one string for every language, or one per language.
type Bring struct {
	InPerson Text `yaml:"in_person"`
	Virtual  Text `yaml:"virtual"`
}

// PhotoRef is one configured picture: its key path (for errors), its file
// on disk and its alt text.
type PhotoRef struct {
	Key  string // e.g. "services[1].photo"
	Path string // the file, media_dir resolved
	Alt  string
}

// photoExts are the picture formats the pages decode.
var photoExts = []string{".jpg", ".jpeg", ".png", ".webp"}

// mediaPath resolves atelier.media_dir against the folder of the
// configuration file (the working folder for Parse).
func mediaPath(file, dir string) string {
	if dir == "" || filepath.IsAbs(dir) {
		return dir
	}
	return filepath.Join(filepath.Dir(file), dir)
}

// Photos lists every configured picture: the logo, the landing page's
// photos, then each service's and each artisan's, by key.
func (c *Config) Photos() []PhotoRef {
	var refs []PhotoRef
	add := func(key string, p *Photo) {
		if p != nil && p.File != "" {
			refs = append(refs, PhotoRef{Key: key, Path: filepath.Join(c.Atelier.MediaPath, filepath.FromSlash(p.File)), Alt: strings.TrimSpace(p.Alt)})
		}
	}
	add("atelier.logo", c.Atelier.Logo)
	for i := range c.Atelier.Photos {
		add(fmt.Sprintf("atelier.photos[%d]", i), &c.Atelier.Photos[i])
	}
	for i := range c.Services {
		add(fmt.Sprintf("services[%d].photo", i), c.Services[i].Photo)
	}
	for i := range c.Artisans {
		add(fmt.Sprintf("artisans[%d].photo", i), c.Artisans[i].Photo)
	}
	return refs
}

// face validates the pictures, the landing page's words and the services'
// advice.
func (v *validator) face(c *Config) {
	a := c.Atelier
	v.photo(c, "atelier.logo", a.Logo)
	for i := range a.Photos {
		v.photo(c, fmt.Sprintf("atelier.photos[%d]", i), &a.Photos[i])
	}
	if len(a.Photos) > 6 {
		v.add("atelier.photos", "has %d photos; the landing page shows at most 6", len(a.Photos))
	}
	for i, s := range c.Services {
		v.photo(c, fmt.Sprintf("services[%d].photo", i), s.Photo)
	}
	for i, ar := range c.Artisans {
		v.photo(c, fmt.Sprintf("artisans[%d].photo", i), ar.Photo)
	}
	v.textMax("atelier.tagline", a.Tagline, 120)
	v.textMax("atelier.intro", a.Intro, 1000)
	v.textMax("atelier.directions", a.Directions, 1000)
}

func (v *validator) maxLen(path, s string, n int) {
	if l := len([]rune(s)); l > n {
		v.add(path, "is %d characters long; at most %d", l, n)
	}
}

// photo checks one picture: a file inside media_dir of a format the pages
// decode, and its alt text. Whether the file is there and decodes is
// checked at start by the pages, which name the key.
func (v *validator) photo(c *Config, path string, p *Photo) {
	if p == nil {
		return
	}
	if c.Atelier.MediaDir == "" {
		v.add(path, "needs atelier.media_dir, the folder that holds the pictures")
	}
	switch {
	case strings.TrimSpace(p.File) == "":
		v.addNear(path+".file", path, "is required")
	case !filepath.IsLocal(filepath.FromSlash(p.File)) || strings.Contains(p.File, `\`):
		v.add(path+".file", "%q must be a path inside atelier.media_dir", p.File)
	default:
		ext := strings.ToLower(filepath.Ext(p.File))
		ok := false
		for _, e := range photoExts {
			ok = ok || ext == e
		}
		if !ok {
			v.add(path+".file", "%q is not a JPEG, PNG or WebP file (.jpg, .jpeg, .png, .webp)", p.File)
		}
	}
	if strings.TrimSpace(p.Alt) == "" {
		v.addNear(path+".alt", path, "is required: what the picture shows, for visitors who cannot see it")
	}
}

// addNear is add for a key that may be absent: the problem then carries
// the line of the mapping that should hold it.
func (v *validator) addNear(path, parent, format string, args ...any) {
	v.add(path, format, args...)
	if p := &v.problems[len(v.problems)-1]; p.Line == 0 && v.idx != nil {
		p.Line = v.idx.line(parent)
	}
}
