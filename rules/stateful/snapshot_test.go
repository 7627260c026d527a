package stateful_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cityops/cityops/rules/stateful"
)

// TestSnapshotsOfSeveralMegabytes saves and loads a partition state of 6 MB
// that compresses to more than the 1 MB a broker takes by default: busy
// partitions hold that much, and a snapshot the broker refused would stop
// the stage.
func TestSnapshotsOfSeveralMegabytes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(ctx, t, 2)
	rng := rand.New(rand.NewPCG(7, 9))
	ids := make([]string, 100_000)
	for i := range ids {
		b := make([]byte, 28)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		ids[i] = hex.EncodeToString(b)
	}
	state, err := json.Marshal(ids)
	if err != nil {
		t.Fatal(err)
	}
	s := stateful.NewSnapshots(e.brokers, e.topics.Snapshots)
	defer s.Close()
	if err := s.Save(ctx, "merge/incidents.signals/1", 4242, state); err != nil {
		t.Fatalf("saving a %d-byte state: %v", len(state), err)
	}
	snap, found, err := s.Load(ctx, "merge/incidents.signals/1")
	if err != nil || !found {
		t.Fatalf("loading it back: found %v, %v", found, err)
	}
	if snap.Offset != 4242 || !bytes.Equal(snap.State, state) {
		t.Fatalf("loaded offset %d and %d bytes, want 4242 and the %d bytes saved", snap.Offset, len(snap.State), len(state))
	}
}
