package engine

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// posMap maps byte offsets in a scalar's value to file positions: each seg
// is the value offset where a source line's content starts, and where that
// is in the file.
type posMap struct {
	segs []seg
}

type seg struct {
	off int
	pos Pos
}

func (m *posMap) at(off int) Pos {
	if m == nil || len(m.segs) == 0 {
		return Pos{}
	}
	s := m.segs[0]
	for _, x := range m.segs[1:] {
		if x.off > off {
			break
		}
		s = x
	}
	p := s.pos
	p.Col += off - s.off
	return p
}

// posMap builds the map of a scalar node: quoted and plain scalars start at
// the node (after the quote); block scalars (| and >) on the lines below
// their header, at the block's indentation.
func (r *Reader) posMap(n *yaml.Node) *posMap {
	start := r.Pos(n)
	switch n.Style & (yaml.LiteralStyle | yaml.FoldedStyle | yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle) {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		start.Col++
	case yaml.LiteralStyle, yaml.FoldedStyle:
		return r.blockMap(n)
	}
	return &posMap{segs: []seg{{0, start}}}
}

func (r *Reader) blockMap(n *yaml.Node) *posMap {
	m := &posMap{}
	indent, off := -1, 0
	for ln := n.Line + 1; ln <= len(r.lines) && off <= len(n.Value); ln++ {
		text := strings.TrimRight(r.lines[ln-1], "\r")
		if strings.TrimSpace(text) == "" {
			off++
			continue
		}
		ind := len(text) - len(strings.TrimLeft(text, " "))
		if indent < 0 {
			indent = ind
		}
		if ind < indent {
			break
		}
		m.segs = append(m.segs, seg{off, Pos{File: r.File, Line: ln, Col: indent + 1}})
		off += len(text) - indent + 1
	}
	if len(m.segs) == 0 {
		m.segs = []seg{{0, r.Pos(n)}}
	}
	return m
}
