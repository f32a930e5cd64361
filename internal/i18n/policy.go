package i18n

// The booking policy in words (issue 13): when a customer's own changes
// close and how often a booking can be moved, for the pages and the
// e-mails alike.

// PolicySentences are the policy of a service in l: changes close
// cutoffHours before the start (0: at the start), at most maxMoves moves
// (0: no limit), then the atelier's own note as written.
func (l *Lang) PolicySentences(cutoffHours, maxMoves int, note string) []string {
	var out []string
	if cutoffHours > 0 {
		out = append(out, l.N("policy.until_cutoff", cutoffHours))
	} else {
		out = append(out, l.T("policy.until_start"))
	}
	if maxMoves > 0 {
		out = append(out, l.N("policy.max_moves", maxMoves))
	}
	if note != "" {
		out = append(out, note)
	}
	return out
}

// PolicyContact says how to reach the atelier to change a booking that
// can no longer be changed online.
func (l *Lang) PolicyContact(phone, email string) string {
	switch {
	case phone != "" && email != "":
		return l.T("policy.contact_both", "Phone", phone, "Email", email)
	case phone != "":
		return l.T("policy.contact_phone", "Phone", phone)
	case email != "":
		return l.T("policy.contact_email", "Email", email)
	}
	return l.T("policy.contact_none")
}
