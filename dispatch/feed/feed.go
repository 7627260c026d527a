// Package feed publishes each department's task transitions on a Kafka
// topic of its own, tasks.DEPARTMENT, for departments whose systems read
// Kafka rather than take webhooks, and for the webhook deliverer, which
// consumes these topics. The records are written with the incident's change,
// in the same durable step, so a transition the loop recorded is on its
// department's topic too.
package feed

import (
	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/segmentio/kafka-go"
)

// Topic is the topic of a department's feed.
func Topic(department string) string { return bus.TopicDepartmentPrefix + department }

// Topics are the feed topics of departments, to create at start.
func Topics(depts []cityops.Department) []string {
	out := make([]string, len(depts))
	for i, d := range depts {
		out[i] = Topic(d.ID)
	}
	return out
}

// Record is a feed's record.
type Record struct {
	Transition cityops.Transition `json:"transition"`
	Task       lifecycle.Task     `json:"task"`
}

// Records returns the record of tr for the topic of the department that
// owns the task after it, keyed by incident id. It fits tasks.Config.Fanout.
// The dispatcher writes one for each step, so it is encoded with the
// pipeline's json v2 codec, as encoding/json would encode it.
func Records(t *lifecycle.Task, tr cityops.Transition) []kafka.Message {
	if t.DepartmentID == "" {
		return nil
	}
	v, err := bus.EncodeJSON(Record{Transition: tr, Task: *t})
	if err != nil {
		return nil
	}
	return []kafka.Message{{Topic: Topic(t.DepartmentID), Key: []byte(t.ID), Value: v}}
}
