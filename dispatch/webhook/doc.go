// Package webhook delivers task transitions to departments' own systems:
// a JSON POST per transition to the department's URL, signed with
// HMAC-SHA256 of the body under the department's secret, retried with
// exponential backoff, and filed as a dead letter when it keeps failing.
package webhook
