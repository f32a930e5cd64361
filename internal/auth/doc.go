// Package auth holds the security primitives of staff sign-in: argon2id
// password hashes in PHC format, session tokens of the form "id.secret"
// of which only a hash of the secret is stored, and the throttle of failed
// logins. It does no I/O and never reads the clock: callers pass now.
package auth
