package plan

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/trailwatch/trailwatch/chain"
)

// Defaults for names the user did not choose.
const (
	DefaultFilterName    = chain.DefaultFilterName
	DefaultMetricName    = chain.DefaultMetricName
	DefaultNamespace     = chain.DefaultNamespace
	DefaultAlarmName     = chain.DefaultAlarmName
	DefaultTopicName     = chain.DefaultTopicName
	DefaultLogGroupName  = "trailwatch-cloudtrail-logs"
	DefaultRoleName      = "trailwatch-cloudtrail-logs"
	DefaultRetentionDays = 365
	DefaultTrailName     = "trailwatch"
)

// DefaultBucketName is the deterministic name of the bucket trailwatch
// creates for a new trail's logs. Apply adds -2, -3... when it is taken.
func DefaultBucketName(account, region string) string {
	return "trailwatch-cloudtrail-" + account + "-" + region
}

// Choices are every decision a plan depends on. A saved plan carries them,
// so what was reviewed is what runs.
type Choices struct {
	// Control is the CIS monitoring control the plan serves (any of its
	// numbers; "" is 4.5): its filter text and default names.
	Control       string `json:"control,omitempty"`
	Email         string `json:"email,omitempty"`
	Subscribe     string `json:"subscribe,omitempty"` // PROTOCOL:ENDPOINT
	TopicARN      string `json:"topic_arn,omitempty"`
	FilterName    string `json:"filter_name,omitempty"`
	MetricName    string `json:"metric_name,omitempty"`
	Namespace     string `json:"namespace,omitempty"`
	AlarmName     string `json:"alarm_name,omitempty"`
	TopicName     string `json:"topic_name,omitempty"`
	LogGroupName  string `json:"log_group_name,omitempty"`
	RoleName      string `json:"role_name,omitempty"`
	RetentionDays int32  `json:"retention_days,omitempty"`
	KMSKeyID      string `json:"kms_key_id,omitempty"`
	// TrailName and TrailBucket matter only when there is no multi-region
	// trail: the name of the trail trailwatch creates, and an existing
	// bucket to deliver to instead of a new one.
	TrailName   string `json:"trail_name,omitempty"`
	TrailBucket string `json:"trail_bucket,omitempty"`
}

// Names are the names the audit should recognise as trailwatch's.
func (c Choices) Names() chain.Names {
	d := c.WithDefaults()
	return chain.Names{Filter: d.FilterName, Metric: d.MetricName, Namespace: d.Namespace, Alarm: d.AlarmName, Topic: d.TopicName}
}

// ChainControl is the control c serves (4.5 when c names none, or one
// Validate refuses).
func (c Choices) ChainControl() chain.Control {
	if strings.TrimSpace(c.Control) == "" {
		return chain.CloudTrailChanges()
	}
	ctl, err := chain.ControlFor(c.Control)
	if err != nil {
		return chain.CloudTrailChanges()
	}
	return ctl
}

// WithDefaults returns c with every empty name set to its default: the
// control's filter, metric and alarm names; one topic for every control.
func (c Choices) WithDefaults() Choices {
	def := func(s *string, d string) {
		if strings.TrimSpace(*s) == "" {
			*s = d
		}
	}
	d := c.ChainControl().Defaults
	def(&c.FilterName, d.Filter)
	def(&c.MetricName, d.Metric)
	def(&c.Namespace, d.Namespace)
	def(&c.AlarmName, d.Alarm)
	def(&c.TopicName, DefaultTopicName)
	def(&c.LogGroupName, DefaultLogGroupName)
	def(&c.RoleName, DefaultRoleName)
	def(&c.TrailName, DefaultTrailName)
	if c.RetentionDays == 0 {
		c.RetentionDays = DefaultRetentionDays
	}
	return c
}

// validARN: a known partition and a 12-digit account when one is given;
// the SDK's parser accepts any text in each field.
func validARN(a chain.ARN) bool {
	if !chain.KnownPartition(a.Partition) {
		return false
	}
	return (a.Account == "" || reAccount.MatchString(a.Account)) && reRegionish.MatchString(a.Region)
}

// Endpoint is a subscription target.
type Endpoint struct {
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
}

func (e Endpoint) String() string { return e.Protocol + ":" + e.Endpoint }

// Endpoints returns the subscriptions the user asked for: --email first,
// then --subscribe. It assumes Validate passed.
func (c Choices) Endpoints() []Endpoint {
	var out []Endpoint
	if c.Email != "" {
		out = append(out, Endpoint{Protocol: "email", Endpoint: c.Email})
	}
	if c.Subscribe != "" {
		if e, err := ParseEndpoint(c.Subscribe); err == nil {
			if len(out) == 0 || out[0] != e {
				out = append(out, e)
			}
		}
	}
	return out
}

// Protocols SNS accepts for Subscribe.
var Protocols = []string{"email", "email-json", "https", "http", "sqs", "lambda", "sms", "application", "firehose"}

var (
	reAccount       = regexp.MustCompile(`^\d{12}$`)
	reRegionish     = regexp.MustCompile(`^[a-z0-9-]*$`)
	reTopicName     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	reLogGroup      = regexp.MustCompile(`^[._/#A-Za-z0-9-]{1,512}$`)
	reRoleName      = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	reTrailName     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$`)
	reBucketName    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	reAdjacentPunct = regexp.MustCompile(`[._-]{2}`)
	reIPv4          = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	reSMS           = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)
	reKeyID         = regexp.MustCompile(`^(mrk-)?[0-9a-fA-F-]{32,36}$`)
	reAliasName     = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)
	rePrintASCII    = regexp.MustCompile(`^[\x20-\x7e]+$`)
)

// ParseEndpoint parses PROTOCOL:ENDPOINT and checks the endpoint's form for
// the protocol. Errors name the value and the expected form.
func ParseEndpoint(s string) (Endpoint, error) {
	proto, ep, ok := strings.Cut(s, ":")
	if !ok || proto == "" || ep == "" {
		return Endpoint{}, fmt.Errorf("%q: want PROTOCOL:ENDPOINT, e.g. sqs:arn:aws:sqs:us-east-1:123456789012:alerts or https://hooks.example.com/x (protocols: %s)", s, strings.Join(Protocols, ", "))
	}
	proto = strings.ToLower(proto)
	// "https://host" parses as protocol https with endpoint "//host"; accept
	// the URL itself as the endpoint, as SNS wants it.
	if (proto == "https" || proto == "http") && strings.HasPrefix(ep, "//") {
		ep = proto + ":" + ep
	}
	e := Endpoint{Protocol: proto, Endpoint: ep}
	if err := e.Validate(); err != nil {
		return e, fmt.Errorf("%q: %w", s, err)
	}
	return e, nil
}

// Validate checks the endpoint's form for its protocol.
func (e Endpoint) Validate() error {
	bad := func(want string) error {
		return fmt.Errorf("subscription endpoint %q for protocol %s: want %s", e.Endpoint, e.Protocol, want)
	}
	arnOf := func(service, prefix string) bool {
		a, err := chain.ParseARN(e.Endpoint)
		return err == nil && validARN(a) && a.Service == service && a.Region != "" && a.Account != "" && strings.HasPrefix(a.Resource, prefix)
	}
	switch e.Protocol {
	case "email", "email-json":
		if err := checkEmail(e.Endpoint); err != nil {
			return err
		}
	case "https", "http":
		u, err := url.Parse(e.Endpoint)
		if err != nil || u.Scheme != e.Protocol || u.Host == "" {
			return bad(fmt.Sprintf("a URL starting with %s://", e.Protocol))
		}
	case "sqs":
		if !arnOf("sqs", "") || strings.Contains(e.Endpoint[strings.LastIndex(e.Endpoint, ":")+1:], "/") {
			return bad("an SQS queue ARN, arn:aws:sqs:REGION:ACCOUNT:QUEUE")
		}
	case "lambda":
		if !arnOf("lambda", "function:") {
			return bad("a Lambda function ARN, arn:aws:lambda:REGION:ACCOUNT:function:NAME")
		}
	case "sms":
		if !reSMS.MatchString(e.Endpoint) {
			return bad("a phone number in E.164 form, e.g. +14155550100")
		}
	case "application":
		if !arnOf("sns", "endpoint/") {
			return bad("an SNS platform endpoint ARN, arn:aws:sns:REGION:ACCOUNT:endpoint/...")
		}
	case "firehose":
		if !arnOf("firehose", "deliverystream/") {
			return bad("a Firehose delivery stream ARN, arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME")
		}
	default:
		return fmt.Errorf("subscription protocol %q: want one of %s", e.Protocol, strings.Join(Protocols, ", "))
	}
	return nil
}

func checkEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return fmt.Errorf("email %q: want a plain address such as secops@example.com", s)
	}
	return nil
}

// RetentionValues are the retention periods CloudWatch Logs accepts.
var RetentionValues = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// Validate checks every choice and returns all problems at once. Empty names
// are fine (defaults apply).
func (c Choices) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if c.Control != "" {
		if _, err := chain.ControlFor(c.Control); err != nil {
			add(fmt.Errorf("--control %s: %w", c.Control, err))
		}
	}
	if c.Email != "" {
		if err := checkEmail(c.Email); err != nil {
			add(fmt.Errorf("--email: %w", err))
		}
	}
	if c.Subscribe != "" {
		if _, err := ParseEndpoint(c.Subscribe); err != nil {
			add(fmt.Errorf("--subscribe %w", err)) // the error starts with the quoted value
		}
	}
	if c.TopicARN != "" {
		a, err := chain.ParseARN(c.TopicARN)
		if err != nil || !validARN(a) || a.Service != "sns" || a.Region == "" || a.Account == "" || !reTopicName.MatchString(a.Resource) {
			add(fmt.Errorf("--topic-arn %q: want an SNS topic ARN, arn:aws:sns:REGION:ACCOUNT:TOPIC", c.TopicARN))
		}
	}
	name := func(flag, v string, ok bool, want string) {
		if v != "" && !ok {
			add(fmt.Errorf("%s %q: want %s", flag, v, want))
		}
	}
	name("--filter-name", c.FilterName, len(c.FilterName) <= 512 && !strings.ContainsAny(c.FilterName, ":*") && rePrintASCII.MatchString(c.FilterName),
		"1 to 512 printable characters without ':' or '*'")
	name("--metric-name", c.MetricName, len(c.MetricName) <= 255 && rePrintASCII.MatchString(c.MetricName) && !strings.ContainsAny(c.MetricName, ":$*"),
		"1 to 255 printable characters without ':', '$' or '*'")
	name("--namespace", c.Namespace, len(c.Namespace) <= 255 && regexp.MustCompile(`^[0-9A-Za-z.\-_/#]+$`).MatchString(c.Namespace) && !strings.HasPrefix(c.Namespace, "AWS/"),
		"1 to 255 of letters, digits and . - _ / #, not starting with AWS/")
	name("--alarm-name", c.AlarmName, len(c.AlarmName) <= 255 && rePrintASCII.MatchString(c.AlarmName),
		"1 to 255 printable ASCII characters")
	name("--topic-name", c.TopicName, reTopicName.MatchString(c.TopicName), "1 to 256 letters, digits, '-' or '_'")
	name("--log-group-name", c.LogGroupName, reLogGroup.MatchString(c.LogGroupName), "1 to 512 of letters, digits and . _ - / #")
	name("--role-name", c.RoleName, reRoleName.MatchString(c.RoleName), "1 to 64 of letters, digits and + = , . @ _ -")
	name("--trail-name", c.TrailName, reTrailName.MatchString(c.TrailName) && !reAdjacentPunct.MatchString(c.TrailName),
		"3 to 128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, no two of . _ - side by side")
	name("--trail-bucket", c.TrailBucket, reBucketName.MatchString(c.TrailBucket) && !strings.Contains(c.TrailBucket, "..") &&
		!strings.Contains(c.TrailBucket, ".-") && !strings.Contains(c.TrailBucket, "-.") && !reIPv4.MatchString(c.TrailBucket),
		"an S3 bucket name: 3 to 63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit")
	if c.RetentionDays != 0 && !validRetention(c.RetentionDays) {
		add(fmt.Errorf("--retention-days %d: want one of %v", c.RetentionDays, RetentionValues))
	}
	if c.KMSKeyID != "" {
		add(checkKMSKey(c.KMSKeyID))
	}
	return errors.Join(errs...)
}

func validRetention(d int32) bool {
	for _, v := range RetentionValues {
		if v == d {
			return true
		}
	}
	return false
}

func checkKMSKey(k string) error {
	aws := func() error {
		return fmt.Errorf("--kms-key %q: an AWS managed key cannot be used; CloudWatch alarms cannot publish to a topic encrypted with it. Give a customer managed key whose policy lets cloudwatch.amazonaws.com use it", k)
	}
	if strings.HasPrefix(k, "alias/aws/") {
		return aws()
	}
	if a, err := chain.ParseARN(k); err == nil && validARN(a) && a.Service == "kms" {
		if strings.HasPrefix(a.Resource, "alias/aws/") {
			return aws()
		}
		if strings.HasPrefix(a.Resource, "key/") || reAliasName.MatchString(a.Resource) {
			return nil
		}
	}
	if reKeyID.MatchString(k) || reAliasName.MatchString(k) {
		return nil
	}
	return fmt.Errorf("--kms-key %q: want a customer managed key id, key ARN, alias/NAME or alias ARN", k)
}
