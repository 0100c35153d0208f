package serve

import (
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/runbook-dev/runbook/engine"
)

// tokenKeys are the keys of an entry of the tokens file.
var tokenKeys = []string{"sha256", "identity", "groups", "slack"}

// ParseTokens parses a tokens file, read from file: a YAML list of
//
//	# tokens.yaml
//	- sha256: HEX        # SHA-256 of the token (`runbook token hash`)
//	  identity: NAME     # who uses it, a person or a tool
//	  groups: [NAME, ..] # optional
//	  slack: U0123ABCD   # optional: their Slack user ID
//
// An entry has sha256, slack or both: its Slack user acts on human steps
// from Slack as its identity, with its groups. It never holds a token
// itself. The error, when there is one, is an
// engine.Diagnostics naming file:line:col and what to do for each
// problem. An empty file (or `[]`) holds no token.
func ParseTokens(src []byte, file string) (*Tokens, error) {
	var ds engine.Diagnostics
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		ds.Errorf(engine.Pos{File: file, Line: line, Col: 1}, "invalid YAML: %s", msg)
		return nil, ds
	}
	t := &Tokens{}
	if len(doc.Content) == 0 {
		return t, nil
	}
	p := tokensParser{file: file, ds: &ds, seen: map[[32]byte]int{}, seenSlack: map[string]int{}}
	root := yamlResolve(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return t, nil
	}
	if root.Kind != yaml.SequenceNode {
		p.errorf(root, "the tokens file is a YAML list of `- {sha256: HEX, identity: NAME, groups: [..]}`, not %s", yamlNodeKind(root))
		return nil, ds
	}
	for _, item := range root.Content {
		e, ok := p.entry(yamlResolve(item))
		if !ok {
			continue
		}
		if e.hashed {
			t.entries = append(t.entries, e)
		}
		if e.slack != "" {
			if t.slack == nil {
				t.slack = map[string]Caller{}
			}
			t.slack[e.slack] = e.caller
		}
	}
	if err := ds.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

type tokensParser struct {
	file      string
	ds        *engine.Diagnostics
	seen      map[[32]byte]int // hash -> line of its first entry
	seenSlack map[string]int   // Slack user ID -> line of its first entry
}

func (p *tokensParser) errorf(n *yaml.Node, format string, args ...any) *engine.Diagnostic {
	return p.ds.Errorf(engine.Pos{File: p.file, Line: n.Line, Col: n.Column}, format, args...)
}

// entry parses one `{sha256, identity, groups, slack}` mapping.
func (p *tokensParser) entry(n *yaml.Node) (tokenEntry, bool) {
	var e tokenEntry
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "an entry is a mapping `{sha256: HEX, identity: NAME, groups: [..]}`, not %s", yamlNodeKind(n))
		return e, false
	}
	ok, hashed, named, plaintext := true, false, false, false
	keys := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], yamlResolve(n.Content[i+1])
		if first, dup := keys[k.Value]; dup {
			p.errorf(k, "`%s` is given twice in this entry (first at line %d)", k.Value, first)
			ok = false
			continue
		}
		keys[k.Value] = k.Line
		switch k.Value {
		case "sha256":
			hashed = true
			ok = p.hash(v, &e) && ok
		case "identity":
			named = true
			ok = p.identity(v, &e) && ok
		case "groups":
			ok = p.groups(v, &e) && ok
		case "slack":
			ok = p.slackUser(v, &e) && ok
		case "token":
			plaintext, ok = true, false
			p.errorf(k, "the tokens file must not hold a token").Hint =
				"store its hash instead: `sha256: HEX`, HEX from `runbook token hash`; and treat this token as leaked"
		default:
			ok = false
			d := p.errorf(k, "unknown key `%s`; an entry has sha256, identity, groups and slack", k.Value)
			d.Hint = engine.DidYouMean(k.Value, tokenKeys)
		}
	}
	if !hashed && !plaintext && keys["slack"] == 0 {
		ok = false
		p.errorf(n, "entry has no `sha256:` (nor `slack:`)").Hint = "add `sha256: HEX`, HEX from `runbook token hash` or `runbook token new`; or `slack: USER-ID` for someone who acts from Slack only"
	}
	e.hashed = hashed
	if !named {
		ok = false
		p.errorf(n, "entry has no `identity:`").Hint = "add `identity: NAME`, naming the person or tool using the token"
	}
	return e, ok
}

var base64URLToken = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// hash reads the hex SHA-256 of a token into e, and refuses a hash some
// earlier entry holds.
func (p *tokensParser) hash(v *yaml.Node, e *tokenEntry) bool {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.errorf(v, "`sha256:` holds %s, not 64 hex digits", yamlNodeKind(v)).Hint = "write the SHA-256 of the token, from `runbook token hash`"
		return false
	}
	s := v.Value
	switch {
	case strings.HasPrefix(strings.ToLower(s), "sha256:"):
		p.errorf(v, "`sha256:` holds a prefixed hash").Hint = "drop the `sha256:` prefix from the value: write the 64 hex digits alone"
		return false
	case base64URLToken.MatchString(s):
		p.errorf(v, "`sha256:` holds what looks like a token itself, not its hash").Hint =
			"store `runbook token hash` of it instead; and treat this token as leaked"
		return false
	case len(s) != 2*len(e.hash):
		p.errorf(v, "`sha256:` holds %d characters, not 64 hex digits", len(s)).Hint =
			"a SHA-256 is 64 hex digits; copy the whole output of `runbook token hash`"
		return false
	}
	if _, err := hex.Decode(e.hash[:], []byte(s)); err != nil {
		i := strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune("0123456789abcdefABCDEF", r) })
		at := engine.Pos{File: p.file, Line: v.Line, Col: v.Column + utf8.RuneCountInString(s[:i])}
		if v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			at.Col++
		}
		p.ds.Errorf(at, "`sha256:` holds %s, not a hex digit", strconv.QuoteRune([]rune(s[i:])[0])).Hint =
			"a SHA-256 is written in hex: 0-9 and a-f; copy the output of `runbook token hash`"
		return false
	}
	if first, dup := p.seen[e.hash]; dup {
		p.errorf(v, "this hash is already in the entry at line %d", first).Hint =
			"a token stands for one caller: remove one entry, or give one of them a new token"
		return false
	}
	p.seen[e.hash] = v.Line
	return true
}

var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

// slackUser reads the Slack user ID an entry maps to its caller, and
// refuses one some earlier entry maps.
func (p *tokensParser) slackUser(v *yaml.Node, e *tokenEntry) bool {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || !slackUserID.MatchString(v.Value) {
		p.errorf(v, "`slack:` holds %s, not a Slack user ID", yamlNodeKind(v)).Hint =
			"write the member ID from the person's Slack profile (⋮ > Copy member ID), like U0123ABCD"
		return false
	}
	if first, dup := p.seenSlack[v.Value]; dup {
		p.errorf(v, "Slack user %s is already mapped by the entry at line %d", v.Value, first).Hint =
			"a Slack user acts as one caller: remove one of the two `slack:` keys"
		return false
	}
	p.seenSlack[v.Value] = v.Line
	e.slack = v.Value
	return true
}

func (p *tokensParser) identity(v *yaml.Node, e *tokenEntry) bool {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || strings.TrimSpace(v.Value) == "" {
		p.errorf(v, "`identity:` holds %s, not a name", yamlNodeKind(v)).Hint = "name the person or tool using the token"
		return false
	}
	e.caller.Identity = engine.NormalIdentity(v.Value)
	return true
}

func (p *tokensParser) groups(v *yaml.Node, e *tokenEntry) bool {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return true
	}
	if v.Kind != yaml.SequenceNode {
		p.errorf(v, "`groups:` holds %s, not a list", yamlNodeKind(v)).Hint = "write `groups: [NAME, ...]`"
		return false
	}
	ok := true
	for _, g := range v.Content {
		g = yamlResolve(g)
		if g.Kind != yaml.ScalarNode || g.Tag == "!!null" || strings.TrimSpace(g.Value) == "" {
			p.errorf(g, "a group is a name, not %s", yamlNodeKind(g))
			ok = false
			continue
		}
		e.caller.Groups = append(e.caller.Groups, engine.NormalIdentity(g.Value))
	}
	return ok
}

// yamlResolve follows an alias to the node it names.
func yamlResolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// yamlNodeKind describes n for an error message.
func yamlNodeKind(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Tag == "!!null":
		return "nothing"
	case n.Value == "":
		return "an empty string"
	case n.Tag == "!!int" || n.Tag == "!!float":
		return "a number"
	case n.Tag == "!!bool":
		return "a boolean"
	}
	return "a string"
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlErrorLine is the line a yaml.v3 syntax error names (1 when it
// names none) and its message.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return max(line, 1), m[2]
	}
	return 1, strings.TrimPrefix(msg, "yaml: ")
}
