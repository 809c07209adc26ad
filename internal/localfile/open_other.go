//go:build !unix

package localfile

import "os"

// Without O_NONBLOCK; Windows has no FIFOs in the file system.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
