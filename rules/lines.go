package rules

import (
	"io/fs"

	"go.yaml.in/yaml/v3"
)

// itemLine returns the line of item i of a list in a pack file: the
// top-level list when key is empty, else the list under the top-level key.
// It returns 0 when the file or the item cannot be found, so that an error
// still names its file. Files are parsed once per check.
func (c *checker) itemLine(file, key string, i int) int {
	if c.lines == nil {
		c.lines = map[[2]string][]int{}
	}
	k := [2]string{file, key}
	lines, ok := c.lines[k]
	if !ok {
		lines = listLines(c.fsys, file, key)
		c.lines[k] = lines
	}
	if i < 0 || i >= len(lines) {
		return 0
	}
	return lines[i]
}

// listLines returns the lines of the items of a list in a YAML file.
func listLines(fsys fs.FS, file, key string) []int {
	n := topNode(fsys, file)
	if n != nil && key != "" {
		_, n = keyNode(n, key)
	}
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	lines := make([]int, len(n.Content))
	for j, item := range n.Content {
		lines[j] = item.Line
	}
	return lines
}

// keyLine returns the line of a top-level key of a YAML file, 0 when there
// is none.
func keyLine(fsys fs.FS, file, key string) int {
	if n := topNode(fsys, file); n != nil {
		if k, _ := keyNode(n, key); k != nil {
			return k.Line
		}
	}
	return 0
}

// topNode parses a YAML file and returns its top node, nil when it cannot.
func topNode(fsys fs.FS, file string) *yaml.Node {
	if fsys == nil {
		return nil
	}
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil
	}
	var doc yaml.Node
	if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

// keyNode returns the key and value nodes of key in mapping n.
func keyNode(n *yaml.Node, key string) (k, v *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for j := 0; j+1 < len(n.Content); j += 2 {
		if n.Content[j].Value == key {
			return n.Content[j], n.Content[j+1]
		}
	}
	return nil, nil
}
