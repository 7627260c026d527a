// Package bus is the pipeline's Kafka contract and its plumbing, shared by
// every stage and the fault suite: every topic and consumer group name, the
// codec of the records, writers that wait for all in-sync replicas, and a consumer loop
// that hands batches to a stage and commits their offsets only after the stage
// says its output is durable (at-least-once; the stages' sinks are
// idempotent). ConsumePartitions is the variant for stages with state: it
// hands each assigned partition to a handler of its own, opened when the
// partition arrives and closed when it leaves, so that the state keyed into a
// partition moves with it between replicas; each partition is read a whole
// fetch at a time, the next fetch read while the handler works on the last.
//
// It speaks the Kafka protocol through github.com/segmentio/kafka-go, so the
// same code runs against the embedded broker and a production cluster.
package bus
