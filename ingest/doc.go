// Package ingest is the platform's front door. It accepts events from the
// hotline and from sensors over HTTP, validates each one with errors that
// name the field at fault, masks callers' personal data in free text,
// normalizes what it accepts into cityops.Event and writes it to the raw
// events topic. Nothing is acknowledged to the sender before the broker has
// it.
package ingest
