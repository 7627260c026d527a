package tasks_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/segmentio/kafka-go"
)

// TestOwnersIgnoreForgedAnnouncements writes announcements to the owners
// topic that do not carry the cluster secret's signature (none, another
// secret's, a signed one altered) between two genuine ones: a replica
// following the topic ignores the forged ones and keeps naming the replica
// that announced itself.
func TestOwnersIgnoreForgedAnnouncements(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	if err := bus.EnsureTopics(ctx, e.brokers, 1, tasks.OwnersTopic); err != nil {
		t.Fatal(err)
	}
	w := bus.NewWriter(e.brokers, tasks.OwnersTopic)
	e.writers = append(e.writers, w)
	secret := []byte("0123456789abcdef0123456789abcdef")
	holder := tasks.NewOwners("http://replica-b:8081", secret, w.WriteMessages)
	if err := holder.Announce(ctx, 1, true); err != nil {
		t.Fatal(err)
	}

	forge := func(rec tasks.OwnerRecord) kafka.Message {
		v, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		return kafka.Message{Key: []byte("1"), Value: v}
	}
	evil := tasks.OwnerRecord{Partition: 1, Owner: "http://evil.example", Held: true, Time: time.Now().UTC()}
	// Signed with another secret.
	var other, signed kafka.Message
	otherOwners := tasks.NewOwners("http://evil.example", []byte("another secret, just as long...."),
		func(_ context.Context, msgs ...kafka.Message) error { other = msgs[0]; return nil })
	if err := otherOwners.Announce(ctx, 1, true); err != nil {
		t.Fatal(err)
	}
	// A genuine record of replica-b, with its owner changed.
	genuine := tasks.NewOwners("http://replica-b:8081", secret,
		func(_ context.Context, msgs ...kafka.Message) error { signed = msgs[0]; return nil })
	if err := genuine.Announce(ctx, 1, true); err != nil {
		t.Fatal(err)
	}
	var altered tasks.OwnerRecord
	if err := json.Unmarshal(signed.Value, &altered); err != nil {
		t.Fatal(err)
	}
	altered.Owner = "http://evil.example"
	if err := w.WriteMessages(ctx, forge(evil), other, forge(altered), kafka.Message{Value: []byte("not json")}); err != nil {
		t.Fatal(err)
	}
	// The last genuine record: once the follower has read it, it has read
	// every forged one before it.
	if err := holder.Announce(ctx, 2, true); err != nil {
		t.Fatal(err)
	}

	follower := tasks.NewOwners("http://replica-a:8081", secret, w.WriteMessages)
	fctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- follower.Follow(fctx, e.brokers, tasks.OwnersTopic) }()
	for {
		if _, ok := follower.Owner(2); ok {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the follower never read the last announcement")
		case <-time.After(10 * time.Millisecond):
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, _ := follower.Owner(1); got != "http://replica-b:8081" {
		t.Errorf("partition 1 is held by %q, want http://replica-b:8081", got)
	}
	if n := follower.Forged(); n != 4 {
		t.Errorf("%d announcements ignored, want 4", n)
	}
	if peers := follower.Peers(); len(peers) != 1 {
		t.Errorf("peers %v, want replica-b only", peers)
	}
}
