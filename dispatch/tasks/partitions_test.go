package tasks_test

import (
	"fmt"
	"testing"

	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/segmentio/kafka-go"
)

// TestPartitionAgreesWithTheWriters checks that the service places an
// incident in the partition kafka-go's Hash balancer writes its records to,
// for several partition counts.
func TestPartitionAgreesWithTheWriters(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 12, 64} {
		svc := tasks.New(tasks.Config{Partitions: n})
		parts := make([]int, n)
		for i := range parts {
			parts[i] = i
		}
		used := map[int]bool{}
		for i := range 2000 {
			id := fmt.Sprintf("INC-311-%d", i*7919)
			want := (&kafka.Hash{}).Balance(kafka.Message{Key: []byte(id)}, parts...)
			if got := svc.Partition(id); got != want {
				t.Fatalf("%d partitions: %s in %d, the writer puts it in %d", n, id, got, want)
			}
			used[want] = true
		}
		if len(used) != n {
			t.Errorf("%d partitions: only %d used", n, len(used))
		}
	}
}
