package main

import (
	"strings"

	"github.com/alecthomas/kong"
)

// The help's command groups, in the order --help lists them.
var (
	groupRun     = &kong.Group{Key: "run", Title: "Run:"}
	groupInspect = &kong.Group{Key: "inspect", Title: "Inspect:"}
	groupApprove = &kong.Group{Key: "approve", Title: "Approve:"}
	groupServe   = &kong.Group{Key: "serve", Title: "Serve:"}
	groupAuthor  = &kong.Group{Key: "author", Title: "Author:"}
	groupOther   = &kong.Group{Key: "other", Title: "Other:"}
)

// commandHelp is each command's group and examples, by command path. A
// command missing here is listed under Other, without examples.
var commandHelp = map[string]struct {
	group    *kong.Group
	examples []string
}{
	"run":        {groupRun, []string{"runbook run rds-reboot -p DBInstanceIdentifier=billing-prod", "runbook run fix.yaml -p Queue=orders --dry-run", "runbook run rds-reboot@1 -p DBInstanceIdentifier=db1 -o jsonl"}},
	"start":      {groupRun, []string{"runbook start rds-reboot -p DBInstanceIdentifier=billing-prod   # prints only the execution ID"}},
	"watch":      {groupRun, []string{"runbook watch rds-reboot-1a2b3c4d", "runbook watch rds-reboot-1a2b3c4d -o jsonl | jq -c 'select(.event == \"step.end\")'"}},
	"cancel":     {groupRun, []string{"runbook cancel rds-reboot-1a2b3c4d"}},
	"retry":      {groupRun, []string{"runbook retry rds-reboot-1a2b3c4d --from reboot"}},
	"status":     {groupInspect, []string{"runbook status rds-reboot-1a2b3c4d", "runbook status rds-reboot-1a2b3c4d -o json"}},
	"history":    {groupInspect, []string{"runbook history rds-reboot-1a2b3c4d", "runbook history rds-reboot-1a2b3c4d -o temporal > h.json"}},
	"list":       {groupInspect, []string{"runbook list --status failed", "runbook list --name rds-reboot -o jsonl"}},
	"catalog":    {groupInspect, []string{"runbook catalog", "runbook catalog --catalog ./runbooks --wide"}},
	"describe":   {groupInspect, []string{"runbook describe rds-reboot", "runbook describe ./fix.yaml -o json"}},
	"replay":     {groupInspect, []string{"runbook replay h.json", "runbook replay --id rds-reboot-1a2b3c4d"}},
	"approvals":  {groupApprove, []string{"runbook approvals", "runbook approvals -o json"}},
	"approve":    {groupApprove, []string{"runbook approve rds-reboot-1a2b3c4d --comment \"checked the replica lag\""}},
	"reject":     {groupApprove, []string{"runbook reject rds-reboot-1a2b3c4d --comment \"month-end close is running\""}},
	"inbox":      {groupApprove, []string{"runbook inbox", "runbook inbox --as alice --group oncall -o json"}},
	"done":       {groupApprove, []string{"runbook done rds-reboot-1a2b3c4d --step drain --all-checked --note \"drained at 10:02\""}},
	"answer":     {groupApprove, []string{"runbook answer elb-5xx-spike-1a2b3c4d --step saw -f errorsInLogs=yes -f note=\"timeouts to payments\""}},
	"server":     {groupServe, []string{"runbook server", "runbook server --state-dir /var/lib/runbook --headless"}},
	"serve":      {groupServe, []string{"runbook serve --address temporal:7233 --codec-key-file /etc/runbook/keys"}},
	"worker":     {groupServe, []string{"runbook worker --address temporal:7233 --codec-key-file /etc/runbook/keys"}},
	"setup":      {groupServe, []string{"runbook setup --address temporal:7233 --namespace ops --retention 30d"}},
	"keygen":     {groupServe, []string{"runbook keygen >> /etc/runbook/keys"}},
	"validate":   {groupAuthor, []string{"runbook validate runbooks/", "runbook validate -o github runbooks/   # GitHub annotations (the default under GitHub Actions)"}},
	"test":       {groupAuthor, []string{"runbook test runbooks/", "runbook test runbooks/rds-reboot.test.yaml --run reject"}},
	"plan":       {groupAuthor, []string{"runbook plan fix.yaml"}},
	"schema":     {groupAuthor, []string{"runbook schema > runbook.schema.json"}},
	"docs":       {groupAuthor, []string{"runbook docs > steps.md"}},
	"import ssm": {groupAuthor, []string{"runbook import ssm AWS-RestartEC2Instance.json --out-dir runbooks/"}},
	"init":       {groupAuthor, []string{"runbook init runbooks/cache-flush", "runbook init playbooks/disk-full --playbook"}},
	"fmt":        {groupAuthor, []string{"runbook fmt runbooks/", "runbook fmt --check runbooks/ playbooks/"}},
	"completion": {groupOther, []string{"runbook completion bash > /etc/bash_completion.d/runbook", "source <(runbook completion bash)", "runbook completion fish > ~/.config/fish/completions/runbook.fish"}},
	"version":    {groupOther, []string{"runbook version"}},
}

// arrangeHelp puts each command of app in its group and adds its
// examples to its detailed help (runbook CMD --help).
func arrangeHelp(app *kong.Application) {
	for _, n := range app.Leaves(true) {
		path := strings.TrimPrefix(n.FullPath(), app.Name+" ")
		h, ok := commandHelp[path]
		if !ok {
			h.group = groupOther
		}
		for c := n; c != nil && c.Parent != nil; c = c.Parent {
			if c.Parent.Parent == nil && c.Group == nil {
				c.Group = h.group // the top-level command carries the group
			}
		}
		if n.Detail == "" && len(h.examples) > 0 {
			n.Detail = "Examples:\n\n    " + strings.Join(h.examples, "\n    ")
		}
	}
}
