package cli

import (
	"runtime/debug"
	"strings"
)

// Version, when set at build time with
// -ldflags "-X github.com/trailwatch/trailwatch/internal/cli.Version=v1.2.3",
// replaces the module version the Go toolchain records in the binary.
var Version = ""

// versionString is what --version prints after the program's name: the
// module version (v1.2.3 from go install @v1.2.3; a pseudo-version such as
// v0.0.0-20250101120000-0123456789ab+dirty from a build in a checkout) and,
// when the build recorded it, the VCS revision, its time, and whether the
// tree had uncommitted changes.
func versionString(info *debug.BuildInfo, ok bool) string {
	v := Version
	if v == "" && ok {
		v = info.Main.Version
	}
	if v == "" {
		v = "(unknown)"
	}
	if !ok {
		return v
	}
	var rev, at string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return v
	}
	var parts []string
	parts = append(parts, "revision "+rev)
	if at != "" {
		parts = append(parts, at)
	}
	if modified {
		parts = append(parts, "with uncommitted changes")
	}
	return v + " (" + strings.Join(parts, ", ") + ")"
}

// buildVersion is versionString for this binary.
func buildVersion() string { return versionString(debug.ReadBuildInfo()) }
