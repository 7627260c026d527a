package open311

import (
	"encoding/xml"
	"net/http"
	"strings"
	"time"
)

// Specification is the URL of the specification the endpoint serves, as
// the discovery document names it.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// discovery is the GeoReport v2 service discovery document.
type discovery struct {
	XMLName    xml.Name   `xml:"discovery" json:"-"`
	Changeset  string     `xml:"changeset" json:"changeset"`
	Contact    string     `xml:"contact" json:"contact"`
	KeyService string     `xml:"key_service" json:"key_service"`
	Endpoints  []endpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

type endpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

// serveDiscovery serves GET /open311/discovery.fmt: where the v2 endpoint
// is, which formats it speaks, whom to ask and where to get a key.
func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	name, format, ok := splitFormat(r.PathValue("file"))
	if !ok || name != "discovery" {
		writeErrors(w, format, http.StatusNotFound, apiError{Code: 404, Description: "unknown resource; GET discovery.xml or discovery.json"})
		return
	}
	changeset := s.cfg.Changeset
	if changeset.IsZero() {
		changeset = Changeset
	}
	contact := s.cfg.Contact
	if contact == "" {
		contact = "The city's operations center answers questions about this API."
	}
	key := s.cfg.KeyService
	if key == "" {
		key = "Ask the city's operations center for an api_key; it is needed to create requests and to rate them."
	}
	writeOne(w, format, discovery{
		Changeset: changeset.UTC().Format(time.RFC3339), Contact: contact, KeyService: key,
		Endpoints: []endpoint{{
			Specification: Specification, URL: s.baseURL(r) + "/open311/v2",
			Changeset: changeset.UTC().Format(time.RFC3339), Type: "production",
			Formats: []string{"text/xml", "application/json"},
		}},
	})
}

// Changeset is when the endpoint's methods last changed: the citizen
// feedback extension.
var Changeset = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

// baseURL is the configured public URL, else the one the request came to.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
