package main

import (
	"strings"
	"testing"
)

func TestMemTotal(t *testing.T) {
	tests := []struct {
		file    string
		want    int64
		wantErr string
	}{
		{"ok", 24588120 << 10, ""},
		{"missing", 0, "has no MemTotal"},
		{"garbled", 0, `MemTotal "lots kB" is not a size`},
		{"absent", 0, "no such file"},
	}
	for _, tt := range tests {
		got, err := memTotal("testdata/meminfo/" + tt.file)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err %v, want one saying %q", tt.file, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: %d, %v; want %d", tt.file, got, err, tt.want)
		}
	}
}
