// Package bus is the platform's Kafka plumbing, shared by every stage: the
// topic names, writers that wait for all in-sync replicas, and a consumer loop
// that hands batches to a stage and commits their offsets only after the stage
// says its output is durable (at-least-once; the stages' sinks are
// idempotent).
//
// It speaks the Kafka protocol through github.com/segmentio/kafka-go, so the
// same code runs against the embedded broker and a production cluster.
package bus
