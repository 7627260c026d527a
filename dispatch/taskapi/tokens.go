package taskapi

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"

	"github.com/cityops/cityops"
)

// Tokens are the API's bearer tokens, as tokens.json holds them.
type Tokens struct {
	Center      string            `json:"center"`
	Inspectors  map[string]string `json:"inspectors,omitempty"` // inspector id -> token
	Departments map[string]string `json:"departments"`          // department id -> token
}

// DefaultInspector is the id of the inspector NewTokens makes a token for.
const DefaultInspector = "inspector-1"

// NewTokens makes a random token for the center, one inspector and each
// department.
func NewTokens(depts []cityops.Department) Tokens {
	tk := Tokens{Center: rand.Text(), Inspectors: map[string]string{DefaultInspector: rand.Text()},
		Departments: make(map[string]string, len(depts))}
	for _, d := range depts {
		tk.Departments[d.ID] = rand.Text()
	}
	return tk
}

// ReadTokens reads a tokens.json.
func ReadTokens(path string) (Tokens, error) {
	var tk Tokens
	b, err := os.ReadFile(path)
	if err != nil {
		return tk, fmt.Errorf("reading tokens: %w", err)
	}
	if err := json.Unmarshal(b, &tk); err != nil {
		return tk, fmt.Errorf("decoding tokens %s: %w", path, err)
	}
	return tk, nil
}

// Write writes the tokens to path, readable by its owner only.
func (tk Tokens) Write(path string) error {
	b, err := json.MarshalIndent(tk, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding tokens: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("writing tokens: %w", err)
	}
	return nil
}
