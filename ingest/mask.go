package ingest

import "crypto/rand"

// randRead fills b from the system's secure random source.
func randRead(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
}
