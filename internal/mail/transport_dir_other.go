//go:build !linux

package mail

// writeUnnamed is for Linux only (O_TMPFILE): elsewhere every message goes
// through a temporary name (Dir.writeRenamed).
func writeUnnamed(dir, path string, msg []byte, written func()) error { return errNoUnnamed }
