package main

import (
	"io"
	"os"

	"github.com/alecthomas/kong"
	"github.com/posener/complete"
	"github.com/willabides/kongplete"
)

// completeCmd prints a shell's completion script.
type completeCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"The shell: ${enum}."`
}

// Run prints the script of c.Shell. Each script asks the runbook binary
// it completes for the candidates: it runs it with COMP_LINE (the line
// up to the cursor) and COMP_POINT set, as bash's complete -C does, and
// the binary answers one candidate a line (see completing).
func (c *completeCmd) Run(e *env) error {
	_, err := io.WriteString(e.stdout, completionScripts[c.Shell])
	return err
}

// completionScripts are the scripts by shell. Bash's fills COMPREPLY from
// the binary's answer and falls back to file names when it has none; a
// candidate ending in = (a param name) takes no space after it.
var completionScripts = map[string]string{
	"bash": `# runbook completion for bash: source <(runbook completion bash)
_runbook() {
    local IFS=$'\n' line="${COMP_LINE:0:COMP_POINT}"
    COMPREPLY=($(COMP_LINE="$line" COMP_POINT=${#line} "${COMP_WORDS[0]}" 2>/dev/null))
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
}
complete -o default -F _runbook runbook
`,
	"zsh": `#compdef runbook
# runbook completion for zsh: source <(runbook completion zsh), or save it
# as _runbook in a directory of $fpath.
_runbook() {
    local line="${(j: :)words[1,CURRENT]}"
    local -a answers
    answers=("${(@f)$(COMP_LINE="$line" COMP_POINT=${#line} ${words[1]} 2>/dev/null)}")
    answers=(${answers:#})
    if (( ${#answers} == 0 )); then
        _files
        return
    fi
    compadd -S '' -- ${(M)answers:#*=}
    compadd -- ${answers:#*=}
}
if (( $+functions[compdef] )); then
    compdef _runbook runbook
fi
`,
	"fish": `# runbook completion for fish: runbook completion fish | source, or save
# it as ~/.config/fish/completions/runbook.fish
function __runbook_complete
    set -l line (commandline -cp)
    set -l cmd (commandline -opc)[1]
    env COMP_LINE="$line" COMP_POINT=(string length -- "$line") $cmd 2>/dev/null
end
complete -c runbook -f -a '(__runbook_complete)'
`,
}

// completing answers a completion request, when COMP_LINE says this run
// is one: it prints the candidates for the word at COMP_POINT (commands,
// flags, enum values, definition names, execution IDs, param names) and
// reports true. Failures print nothing: a completion never breaks the
// shell.
func completing(parser *kong.Kong, e *env) bool {
	if os.Getenv("COMP_LINE") == "" {
		return false
	}
	cmd, err := kongplete.Command(parser, kongplete.WithPredictors(predictors(parser)))
	if err != nil {
		return true
	}
	c := complete.New(parser.Model.Name, cmd)
	c.Out = e.stdout
	return c.Complete()
}

// predictors are the completions of the arguments and flags tagged
// predictor:"NAME".
func predictors(parser *kong.Kong) map[string]complete.Predictor {
	values := valueFlags(parser.Model.Node)
	return map[string]complete.Predictor{
		"definition": complete.PredictOr(complete.PredictFunc(func(a complete.Args) []string {
			return definitionNames(flagValues(a.All, values, "--catalog"))
		}), complete.PredictFiles("*.y*ml")),
		"name": complete.PredictFunc(func(a complete.Args) []string {
			return definitionNames(flagValues(a.All, values, "--catalog"))
		}),
		"execution": complete.PredictFunc(func(a complete.Args) []string { return executionIDs(a, values) }),
		"param":     complete.PredictFunc(func(a complete.Args) []string { return paramNames(a, values) }),
	}
}
