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

// fail answers err, and every error joined in it (errors.Join), each as
// one entry of the list with its own code: 403 for a bad key, 404 for an
// unknown resource, 409 for a conflict, 400 naming the field for invalid
// input and 503 when the bus or the store is down. The answer's status is
// the first of 403, 503, 404, 409 and 400 that the entries hold.
func fail(w http.ResponseWriter, format string, err error) {
	errs := flatten(err)
	entries := make([]apiError, 0, len(errs))
	status := 0
	for _, e := range errs {
		code := statusOf(e)
		entries = append(entries, apiError{Code: code, Description: e.Error()})
		if status == 0 || rank(code) < rank(status) {
			status = code
		}
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeErrors(w, format, status, entries...)
}

// flatten lists the errors joined in err, in order.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

func statusOf(err error) int {
	var fe *cityops.FieldError
	switch {
	case errors.Is(err, errForbidden):
		return http.StatusForbidden
	case errors.Is(err, cityops.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, cityops.ErrConflict):
		return http.StatusConflict
	case errors.As(err, &fe):
		return http.StatusBadRequest
	case errors.Is(err, errUnavailable), errors.Is(err, errStoreDown):
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

func rank(code int) int {
	switch code {
	case http.StatusForbidden:
		return 0
	case http.StatusServiceUnavailable:
		return 1
	case http.StatusNotFound:
		return 2
	case http.StatusConflict:
		return 3
	}
	return 4
}

var (
	errForbidden   = errors.New("invalid api_key received -- can't proceed with create_request")
	errUnavailable = errors.New("the event bus is unavailable; retry later")
	errStoreDown   = errors.New("the store is unavailable; retry later")
)

// notFound returns an error that matches cityops.ErrNotFound.
func notFound(format string, args ...any) error {
	return &notFoundError{msg: fmt.Sprintf(format, args...)}
}

type notFoundError struct{ msg string }

func (e *notFoundError) Error() string        { return e.msg }
func (e *notFoundError) Is(target error) bool { return target == cityops.ErrNotFound }
