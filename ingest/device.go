package ingest

// Device is a registered sensor as intake needs it: a reading that names it
// may leave out its location and unit.
type Device struct {
	ID       string
	Type     string
	Unit     string
	Lat, Lon float64
}

// Registry is the city's registered devices by id.
type Registry map[string]Device

// NewRegistry indexes devices by id.
func NewRegistry(devs []Device) Registry {
	r := make(Registry, len(devs))
	for _, d := range devs {
		r[d.ID] = d
	}
	return r
}
