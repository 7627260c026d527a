package bus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/segmentio/kafka-go"
)

// The topics of the pipeline.
const (
	TopicEventsRaw       = "events.raw"        // validated, masked events from intake
	TopicIncidentChanges = "incidents.changes" // incidents' states: new ones from the processor, steps from the dispatcher; keyed by incident id
	TopicIncidentsFound  = "incidents.found"   // what the processor found, for the dispatcher: new incidents and the signals merged into them; keyed by incident id
	TopicDLQ             = "events.dlq"        // records that could not be processed, with the reason
	TopicReadingsRaw     = "readings.raw"      // sensor readings, keyed by device: JSON as gateways write them (docs/topics.md); the readings path stores and evaluates them
	TopicIntakeIDs       = "intake.ids"        // compacted: every id intake stored, keyed by id, with its content hash

	TopicSignals   = "incidents.signals" // the processor's classified reports and alarm changes, keyed by merge group; the dispatcher's done records
	TopicSnapshots = "process.snapshots" // compacted: the state of each partition of the processor's stages

	TopicTransitions = "incidents.transitions" // every step of every task, keyed by incident id: the audit trail
	TopicOwners      = "dispatch.owners"       // compacted, one partition: which dispatcher holds which partition, signed
	TopicMatrix      = "dispatch.matrix"       // the center's record of the responsibility matrix's changes
	TopicTaskAudit   = "incidents.audit"       // refused calls of the tasks API
	TopicWebhookDLQ  = "webhooks.dlq"          // webhook deliveries that failed for good

	TopicCallers      = "callers.sealed" // sealed callers keyed by request id; compact it in production
	TopicCallersAudit = "audit.callers"  // a record of every read of a caller's personal data

	// TopicDepartmentPrefix begins each department's topic of its tasks'
	// transitions: tasks.DEPT.
	TopicDepartmentPrefix = "tasks."
)

// Topics lists every topic the pipeline needs.
var Topics = []string{TopicEventsRaw, TopicIncidentChanges, TopicIncidentsFound, TopicDLQ, TopicReadingsRaw, TopicIntakeIDs}

// compacted are the topics of Topics that EnsureTopics creates compacted:
// only each key's last record counts.
var compacted = map[string]bool{TopicIntakeIDs: true}

// EnsureTopics creates the topics that do not exist yet, each with the given
// number of partitions; the pipeline's compacted topics (TopicIntakeIDs) are
// created compacted. Existing topics are left as they are.
func EnsureTopics(ctx context.Context, brokers []string, partitions int, topics ...string) error {
	cfgs := make([]kafka.TopicConfig, 0, len(topics))
	for _, t := range topics {
		tc := kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: 1}
		if compacted[t] {
			tc.ConfigEntries = []kafka.ConfigEntry{{ConfigName: "cleanup.policy", ConfigValue: "compact"}}
		}
		cfgs = append(cfgs, tc)
	}
	if err := createTopics(ctx, brokers, cfgs); err != nil {
		return fmt.Errorf("ensuring topics: %w", err)
	}
	return nil
}

// createTopics creates the topics of cfgs that do not exist yet, through
// the cluster's controller.
func createTopics(ctx context.Context, brokers []string, cfgs []kafka.TopicConfig) error {
	if len(brokers) == 0 {
		return errors.New("no brokers given")
	}
	conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		return fmt.Errorf("dialing %s: %w", brokers[0], err)
	}
	defer conn.Close()
	ctrl, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("finding the controller: %w", err)
	}
	cc, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		return fmt.Errorf("dialing the controller: %w", err)
	}
	defer cc.Close()
	if err := cc.CreateTopics(cfgs...); err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		names := make([]string, len(cfgs))
		for i, c := range cfgs {
			names[i] = c.Topic
		}
		return fmt.Errorf("creating %v: %w", names, err)
	}
	return nil
}

// MaxStateBytes is the largest record a compacted state topic takes: a
// stage's snapshot of one partition can be megabytes, more than the 1 MB
// brokers allow by default.
const MaxStateBytes = 64 << 20

// EnsureCompacted creates compacted topics (cleanup.policy=compact) that do
// not exist yet: a topic of state where only each key's last record counts,
// taking records up to MaxStateBytes.
func EnsureCompacted(ctx context.Context, brokers []string, partitions int, topics ...string) error {
	cfgs := make([]kafka.TopicConfig, 0, len(topics))
	for _, t := range topics {
		cfgs = append(cfgs, kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: 1,
			ConfigEntries: []kafka.ConfigEntry{
				{ConfigName: "cleanup.policy", ConfigValue: "compact"},
				{ConfigName: "max.message.bytes", ConfigValue: strconv.Itoa(MaxStateBytes)},
			}})
	}
	if err := createTopics(ctx, brokers, cfgs); err != nil {
		return fmt.Errorf("ensuring compacted topics: %w", err)
	}
	return nil
}
