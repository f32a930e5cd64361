package config

// Privacy is how long customers' personal data is kept (issue 13).
type Privacy struct {
	// RetentionYears: a daily job erases the personal data of every booking
	// whose appointment ended this many years ago (names, contact details,
	// notes, answers, photos). 7 by default, what accounting records of a
	// commission must usually be kept for; 0 keeps the data until the
	// customer or an admin erases it.
	RetentionYears int `yaml:"retention_years"`
}

// DefaultRetentionYears is privacy.retention_years when the file leaves it
// out.
const DefaultRetentionYears = 7

func (v *validator) privacy(p *Privacy) {
	if p.RetentionYears < 0 || p.RetentionYears > 100 {
		v.add("privacy.retention_years", "must be 0 (keep) to 100 years, not %d", p.RetentionYears)
	}
}
