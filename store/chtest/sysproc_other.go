//go:build !linux

package chtest

import "syscall"

// sysProcAttr returns nil: only Linux can tie the server's life to the test
// binary's, elsewhere a killed test binary leaves its server running.
func sysProcAttr() *syscall.SysProcAttr { return nil }
