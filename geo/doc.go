// Package geo places events in the city: H3 cells (github.com/uber/h3-go/v4)
// at the resolutions the platform keeps, and the areas (district, street,
// grid) a point lies in.
package geo
