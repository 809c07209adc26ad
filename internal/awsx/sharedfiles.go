package awsx

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/trailwatch/trailwatch/internal/localfile"
)

// sharedFiles are the shared config and credentials files the SDK reads:
// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, or ~/.aws/config and
// ~/.aws/credentials.
func sharedFiles() []string {
	cfg := os.Getenv("AWS_CONFIG_FILE")
	if cfg == "" {
		cfg = config.DefaultSharedConfigFilename()
	}
	creds := os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if creds == "" {
		creds = config.DefaultSharedCredentialsFilename()
	}
	return []string{cfg, creds}
}

// checkSharedFiles refuses shared files the SDK would read without limit
// (/dev/zero, a huge file) or block on (a FIFO) before the SDK opens them.
func checkSharedFiles() error {
	for _, f := range sharedFiles() {
		if err := localfile.Check(f, localfile.ConfigLimit); err != nil {
			return fmt.Errorf("shared AWS config: %w (set AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE to the right file, or unset them)", err)
		}
	}
	return nil
}

// loadDefaultConfig is config.LoadDefaultConfig with the SDK's panics turned
// into an error naming the file: its INI parser panics on some malformed
// files (a value that opens a quote at the end of the file, for one).
func loadDefaultConfig(ctx context.Context, opts []func(*config.LoadOptions) error) (cfg aws.Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = parserPanic(ctx, r)
		}
	}()
	return config.LoadDefaultConfig(ctx, opts...)
}

// parserPanic finds which shared file makes the parser panic by loading each
// alone.
func parserPanic(ctx context.Context, r any) error {
	files := sharedFiles()
	for i, f := range files {
		if panics(ctx, f, i == 0) {
			return fmt.Errorf("shared AWS config file %s is malformed: the AWS SDK's parser failed on it (%v); look for a broken line, such as a value with an unclosed quote", f, r)
		}
	}
	return fmt.Errorf("the AWS SDK failed while reading the shared config (%v); check %s and %s for a malformed line", r, files[0], files[1])
}

func panics(ctx context.Context, file string, isConfig bool) (p bool) {
	defer func() { p = recover() != nil }()
	_, _ = config.LoadSharedConfigProfile(ctx, "default", func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{}, []string{}
		if isConfig {
			o.ConfigFiles = []string{file}
		} else {
			o.CredentialsFiles = []string{file}
		}
	})
	return false
}
