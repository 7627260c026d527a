package ingest

import "github.com/cityops/cityops"

// Registry is the city's registered devices by id.
type Registry map[string]cityops.Device

// NewRegistry indexes devices by id.
func NewRegistry(devs []cityops.Device) Registry {
	r := make(Registry, len(devs))
	for _, d := range devs {
		r[d.ID] = d
	}
	return r
}
