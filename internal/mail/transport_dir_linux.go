package mail

import (
	"errors"
	"io/fs"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// writeUnnamed writes msg into an unnamed file of the folder dir
// (open(2) O_TMPFILE) and, once the whole message is in it, gives it the
// name path (linkat(2) of /proc/self/fd/N, which needs no privilege). A
// reader never sees the file before it is whole; if the process dies
// before the link, the kernel frees the file and the folder holds nothing
// of it. Against a create, a write and a rename of a named temporary file
// through package os, the kernel does one directory entry less, and no
// poller registration or stat is made (issue 18: 29 → 19 µs a message on
// this machine's ext4 when its inode allocation is cheap; see
// docs/PERFORMANCE.md, "2026-12-02, mailcpu").
//
// It returns errNoUnnamed when dir's file system (or the kernel) has no
// unnamed files or /proc is not mounted, and errNameTaken when path
// exists; written, when set, is called between the write and the link.
func writeUnnamed(dir, path string, msg []byte, written func()) error {
	var fd int
	err := retryEINTR(func() (err error) {
		fd, err = unix.Open(dir, unix.O_WRONLY|unix.O_TMPFILE|unix.O_CLOEXEC, 0o600)
		return err
	})
	switch {
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.EISDIR), errors.Is(err, unix.EINVAL):
		return errNoUnnamed // no O_TMPFILE here (EISDIR: a kernel before 3.11)
	case err != nil:
		return &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	closed := false
	defer func() {
		if !closed {
			unix.Close(fd) // frees the unnamed file
		}
	}()
	for rest := msg; len(rest) > 0; {
		var n int
		err := retryEINTR(func() (err error) {
			n, err = unix.Write(fd, rest)
			return err
		})
		if err != nil {
			return &fs.PathError{Op: "write", Path: path, Err: err}
		}
		rest = rest[n:]
	}
	if written != nil {
		written()
	}
	proc := "/proc/self/fd/" + strconv.Itoa(fd)
	err = retryEINTR(func() error {
		return unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	})
	switch {
	case errors.Is(err, unix.EEXIST):
		return errNameTaken
	case errors.Is(err, unix.ENOENT):
		if _, serr := os.Stat("/proc/self/fd"); serr != nil {
			return errNoUnnamed
		}
		return &fs.PathError{Op: "link", Path: path, Err: err}
	case err != nil:
		return &fs.PathError{Op: "link", Path: path, Err: err}
	}
	closed = true
	if err := unix.Close(fd); err != nil {
		os.Remove(path)
		return &fs.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}

// retryEINTR runs f again while it is interrupted by a signal.
func retryEINTR(f func() error) error {
	for {
		if err := f(); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
