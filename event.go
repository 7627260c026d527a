package cityops

import "time"

// Source says where an event came from.
type Source string

// The sources an event can have.
const (
	SourceHotline Source = "hotline" // a citizen's call or web report (12345, 311)
	SourceIoT     Source = "iot"     // a sensor reading
)

// Valid reports whether s is one of the known sources.
func (s Source) Valid() bool { return s == SourceHotline || s == SourceIoT }

// Event is one thing that happened in the city as it reached the platform: a
// complaint or a sensor reading. Events are immutable once ingested; the rule
// engine turns them into incidents.
type Event struct {
	ID       string    `json:"id"`                  // assigned at intake, unique
	Source   Source    `json:"source"`              // hotline or iot
	Type     string    `json:"type"`                // the reporter's own type: a hotline request type or a sensor kind
	Text     string    `json:"text,omitempty"`      // the complaint's free text (personal data already masked)
	Lat      float64   `json:"lat"`                 // WGS-84 latitude
	Lon      float64   `json:"lon"`                 // WGS-84 longitude
	Time     time.Time `json:"time"`                // when it happened, as the reporter says
	Received time.Time `json:"received"`            // when intake accepted it
	Value    *float64  `json:"value,omitempty"`     // a sensor's reading
	Unit     string    `json:"unit,omitempty"`      // the reading's unit
	DeviceID string    `json:"device_id,omitempty"` // the sensor that sent it
}
