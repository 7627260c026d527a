// Package webhook delivers task transitions to departments' own systems:
// a JSON POST per transition to the department's URL, signed with
// HMAC-SHA256 of the body under the department's secret, retried with
// exponential backoff, and filed as a dead letter when it keeps failing.
// The deliverer reads the transitions from the departments' durable topics
// in a consumer group of its own and commits only what was delivered or
// dead-lettered, so a stop loses nothing.
package webhook
