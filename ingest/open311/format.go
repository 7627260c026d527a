package open311

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cityops/cityops"
)

// The response formats, chosen by the path's extension.
const (
	formatXML  = "xml"
	formatJSON = "json"
)

// splitFormat splits "requests.json" into "requests" and "json". A name
// without a known extension returns ok=false.
func splitFormat(name string) (base, format string, ok bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return name, "", false
	}
	switch f := name[i+1:]; f {
	case formatXML, formatJSON:
		return name[:i], f, true
	}
	return name, "", false
}

// apiError is one entry of the specification's error list.
type apiError struct {
	XMLName     xml.Name `xml:"error" json:"-"`
	Code        int      `xml:"code" json:"code"`
	Description string   `xml:"description" json:"description"`
}

// xmlList is a top-level XML element holding items; in JSON it is a bare array.
type xmlList struct {
	XMLName xml.Name
	Items   any
}

// write sends items as a list named root ("services", "service_requests").
func write(w http.ResponseWriter, format string, code int, root string, items any) {
	var b []byte
	var err error
	if format == formatJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		b, err = json.Marshal(items)
	} else {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		b, err = xml.Marshal(xmlList{XMLName: xml.Name{Local: root}, Items: items})
		b = append([]byte(xml.Header), b...)
	}
	if err != nil {
		http.Error(w, "encoding the response failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// writeOne sends a single element (a service definition) unwrapped.
func writeOne(w http.ResponseWriter, format string, v any) {
	var b []byte
	var err error
	if format == formatJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		b, err = json.Marshal(v)
	} else {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		b, err = xml.Marshal(v)
		b = append([]byte(xml.Header), b...)
	}
	if err != nil {
		http.Error(w, "encoding the response failed", http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(b)
}

// writeErrors answers with the specification's error list and HTTP status.
func writeErrors(w http.ResponseWriter, format string, status int, errs ...apiError) {
	if format == "" {
		format = formatXML
	}
	write(w, format, status, "errors", errs)
}

// fail answers err: 400 naming the field for invalid input, 404 for an
// unknown resource, 403 for a bad key and 503 otherwise.
func fail(w http.ResponseWriter, format string, err error) {
	status := http.StatusBadRequest
	var fe *cityops.FieldError
	switch {
	case errors.Is(err, errForbidden):
		status = http.StatusForbidden
	case errors.Is(err, cityops.ErrNotFound):
		status = http.StatusNotFound
	case errors.As(err, &fe):
	case errors.Is(err, errUnavailable):
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "1")
	}
	writeErrors(w, format, status, apiError{Code: status, Description: err.Error()})
}

var (
	errForbidden   = errors.New("invalid api_key received -- can't proceed with create_request")
	errUnavailable = errors.New("the event bus is unavailable; retry later")
)

// notFound returns an error that matches cityops.ErrNotFound.
func notFound(format string, args ...any) error {
	return &notFoundError{msg: fmt.Sprintf(format, args...)}
}

type notFoundError struct{ msg string }

func (e *notFoundError) Error() string        { return e.msg }
func (e *notFoundError) Is(target error) bool { return target == cityops.ErrNotFound }
