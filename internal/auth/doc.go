// Package auth holds the security primitives of staff sign-in: argon2id
// password hashes in PHC format and the Checker that runs their checks a
// few at a time, session tokens of the form "id.secret" of which only a
// hash of the secret is stored, and the sign-in limits (a Throttle per
// client address, a Backoff per account). It never reads the clock:
// callers pass now.
package auth
