package open311

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCreateMasksFreeText checks that the personal data a client puts into
// media_url, address_string, address_id or description reaches neither the
// raw events topic nor the record GET requests shows, and that the masks
// keep what people need: the URL still works as a link, the house number
// stays.
func TestCreateMasksFreeText(t *testing.T) {
	env := newTestEnv(t, nil)
	base := env.http.URL + "/open311/v2/"
	form := url.Values{
		"api_key": {"dev-key"}, "service_code": {"06010"}, "lat": {"30.61"}, "long": {"117.05"},
		"description":    {"垃圾堆了三天，座机021-87654321，邮箱li.lei@example.com"},
		"address_string": {"鼓楼街12号 电话13712345678"},
		"address_id":     {"caller-13612345678"},
		"media_url":      {"https://media.example.test/u/13512345678/p.jpg?tel=%2B86%20139%201234%205678&mail=wang%40example.com&w=640"},
	}
	code, _, body := postForm(t, base+"requests.json", form)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	var created []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.Unmarshal(body, &created); err != nil || len(created) != 1 {
		t.Fatalf("create answered %s (%v)", body, err)
	}
	secrets := []string{"87654321", "li.lei", "13712345678", "13612345678", "13512345678", "1234%205678", "wang"}
	msgs := env.published(t, time.Second)
	if len(msgs) != 1 {
		t.Fatalf("topic holds %d records, want 1", len(msgs))
	}
	var got []serviceRequest
	if code := getJSON(t, base+"requests/"+created[0].ID+".json", &got); code != 200 || len(got) != 1 {
		t.Fatalf("GET request: %d %+v", code, got)
	}
	shown, _ := json.Marshal(got[0])
	for _, secret := range secrets {
		for where, text := range map[string]string{"topic": string(msgs[0].Value), "GET requests": string(shown)} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %q: %s", where, secret, text)
			}
		}
	}
	want := serviceRequest{
		Description: "垃圾堆了三天，座机021-****4321，邮箱l***@example.com",
		Address:     "鼓楼街12号 电话137****5678",
		AddressID:   "caller-136****5678",
		MediaURL:    "https://media.example.test/u/135****5678/p.jpg?tel=%2B86+139+****+5678&mail=w***%40example.com&w=640",
	}
	if r := got[0]; r.Description != want.Description || r.Address != want.Address || r.AddressID != want.AddressID || r.MediaURL != want.MediaURL {
		t.Errorf("GET request shows\n%+v\nwant\n%+v", r, want)
	}
	if _, err := url.Parse(got[0].MediaURL); err != nil {
		t.Errorf("masked media_url does not parse: %v", err)
	}
}
