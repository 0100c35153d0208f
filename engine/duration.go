package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var daysRE = regexp.MustCompile(`^(\d+)d(.*)$`)

// ParseDuration parses Go duration syntax ("90s", "1h30m") plus a leading
// count of days ("2d", "1d12h").
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	var days time.Duration
	if m := daysRE.FindStringSubmatch(t); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 3650 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		days = time.Duration(n) * 24 * time.Hour
		t = m[2]
		if t == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	return days + d, nil
}

// FormatDuration writes d the way ParseDuration reads it, using days for
// whole days ("2d", "1d2h0m0s").
func FormatDuration(d time.Duration) string {
	day := 24 * time.Hour
	if d >= day {
		if d%day == 0 {
			return fmt.Sprintf("%dd", d/day)
		}
		return fmt.Sprintf("%dd%s", d/day, d%day)
	}
	return d.String()
}
