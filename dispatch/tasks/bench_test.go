package tasks_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/feed"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/segmentio/kafka-go"
)

func discard(context.Context, ...kafka.Message) error { return nil }

func benchService(b *testing.B, transitions, changes bus.Publish) *tasks.Service {
	return benchServiceFanout(b, transitions, changes, nil)
}

func benchServiceFanout(b *testing.B, transitions, changes bus.Publish, fanout func(*lifecycle.Task, cityops.Transition) []kafka.Message) *tasks.Service {
	_, policy := tasks.DemoCity(b)
	s := tasks.New(tasks.Config{Machine: &lifecycle.Machine{MaxReturns: 2}, Policy: policy, Center: "center",
		Transitions: transitions, Changes: changes, Fanout: fanout})
	s.SetReady()
	return s
}

var depts = []string{"cgzf", "lhsr", "water", "zjw", "jj", "sthj", "so-gulou", "so-fuqian", "so-nanmen"}

// incident i of the benchmarks; every third has a cooperating department,
// as the demo city's matrix gives some categories.
func incident(i int, now time.Time) cityops.Incident {
	var coop []string
	if i%3 == 0 {
		coop = []string{depts[(i+1)%len(depts)]}
	}
	return cityops.Incident{
		ID: fmt.Sprintf("INC-%020d", i), EventID: fmt.Sprintf("%020d", i), Source: cityops.SourceHotline, Type: "complaint",
		Text: "早市小贩占道经营，电话139****5678，已持续一周", Category: "09006", CategoryName: "占道经营", Severity: 1,
		Status: cityops.StatusDispatched, Lat: 30.66, Lon: 117.07, Cell: 0x8928308280fffff, Cell7: 0x872830828ffffff, Cell5: 0x85283083fffffff,
		AreaID: "d2-s3", DistrictID: "d2", DepartmentID: depts[i%len(depts)], Rules: []string{"hotline-vending"},
		Reported: now, Updated: now, Version: 1, Cooperating: coop,
	}
}

// BenchmarkMillionOpen adopts 1M open incidents and reports the heap they
// take, then the cost of one step on them (a progress note), with the
// log writes discarded: the dispatcher's own cost.
func BenchmarkMillionOpen(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := benchService(b, discard, discard)
	now := time.Now()
	start := time.Now()
	for i := range n {
		if err := s.Adopt(ctx, incident(i, now)); err != nil {
			b.Fatal(err)
		}
	}
	adopt := time.Since(start)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1)-1) % n
			cmd := lifecycle.Command{Action: lifecycle.Note, Note: "on the way", Actor: lifecycle.Actor{Department: depts[i%len(depts)]}}
			if _, err := s.Do(ctx, fmt.Sprintf("INC-%020d", i), cmd); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
	b.ReportMetric(heap, "MiB/1M-open")
	b.ReportMetric(float64(n)/adopt.Seconds(), "adopts/s")
	runtime.KeepAlive(s)
}

// BenchmarkTransitionsKafka takes steps with every transition and change
// written, acknowledged by all replicas, to the embedded broker by many
// concurrent callers, as the API does: "changes" writes the incident change
// alone, "changes+feed" also the owner's department feed record in the same
// call, as the dispatcher does for department topics and webhooks.
func BenchmarkTransitionsKafka(b *testing.B) {
	e := newEnv(b)
	var topics []string
	for _, d := range depts {
		topics = append(topics, feed.Topic(d))
	}
	if err := bus.EnsureTopics(context.Background(), e.brokers, 2, topics...); err != nil {
		b.Fatal(err)
	}
	tw, cw := bus.NewWriter(e.brokers, tasks.Topic), bus.NewWriter(e.brokers, "")
	defer tw.Close()
	defer cw.Close()
	changes := func(ctx context.Context, msgs ...kafka.Message) error {
		for i := range msgs {
			if msgs[i].Topic == "" {
				msgs[i].Topic = bus.TopicIncidentChanges
			}
		}
		return cw.WriteMessages(ctx, msgs...)
	}
	for _, bc := range []struct {
		name   string
		fanout func(*lifecycle.Task, cityops.Transition) []kafka.Message
	}{{"changes", nil}, {"changes+feed", feed.Records}} {
		b.Run(bc.name, func(b *testing.B) {
			s := benchServiceFanout(b, tw.WriteMessages, changes, bc.fanout)
			ctx := context.Background()
			now := time.Now()
			const n = 20000
			for i := range n {
				s.Replay(lifecycle.Adopted(incident(i, now), now.Add(time.Hour), now))
			}
			var next atomic.Int64
			b.SetParallelism(64)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1)-1) % n
					cmd := lifecycle.Command{Action: lifecycle.Note, Note: "progress", Actor: lifecycle.Actor{Department: depts[i%len(depts)]}}
					if _, err := s.Do(ctx, fmt.Sprintf("INC-%020d", i), cmd); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
		})
	}
}
