package engine

import (
	"sort"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Reads lists the references expression src reads from steps, params
// and alarm: its member chains (steps.X.Y, params.P, alarm.metric.name,
// and the shorter chains inside them), longest first. Nil when src does
// not parse.
//
//workflowcheck:ignore
func Reads(src string) []string {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	var chains []string
	ast.Walk(&tree.Node, visitor(func(n ast.Node) {
		if m, ok := n.(*ast.MemberNode); ok {
			c := m.String()
			if strings.HasPrefix(c, "steps.") || strings.HasPrefix(c, "params.") || strings.HasPrefix(c, "alarm.") {
				chains = append(chains, c)
			}
		}
	}))
	sort.SliceStable(chains, func(i, j int) bool { return len(chains[i]) > len(chains[j]) })
	return chains
}

type visitor func(ast.Node)

func (v visitor) Visit(n *ast.Node) { v(*n) }
