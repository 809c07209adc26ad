// Package prompt asks the fix and apply commands' questions with huh forms.
// Commands see only the Prompter interface, so tests swap in a fake; the
// forms are built by exported functions that tests can drive directly.
package prompt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/trailwatch/trailwatch/internal/budget"
	"github.com/trailwatch/trailwatch/internal/interrupt"
	"github.com/trailwatch/trailwatch/plan"
)

// ErrCancelled is returned when the user leaves a form (Esc, Ctrl-C).
var ErrCancelled = errors.New("cancelled")

// TargetKind is where notifications go.
type TargetKind string

const (
	TargetEmail  TargetKind = "email"
	TargetHTTPS  TargetKind = "https"
	TargetSQS    TargetKind = "sqs"
	TargetLambda TargetKind = "lambda"
	TargetTopic  TargetKind = "topic"
)

// Name is one resource name the user may change.
type Name struct {
	Key     string // the flag without dashes: alarm-name, topic-name...
	Label   string
	Default string
}

// Request says what to ask.
type Request struct {
	Account, Region string
	// AskTarget: the plan creates a topic or a subscription, so ask where
	// notifications go.
	AskTarget bool
	// Names the plan creates, with the values it would use now.
	Names []Name
	// Current are the choices so far (from flags); answers are merged in.
	Current plan.Choices
}

// Prompter asks questions. Both methods return ErrCancelled when the user
// leaves the form.
type Prompter interface {
	AskChoices(ctx context.Context, req Request) (plan.Choices, error)
	Confirm(ctx context.Context, title, description string) (bool, error)
}

// Huh asks with huh forms on the given streams.
type Huh struct {
	In  io.Reader
	Out io.Writer
	// Accessible runs the forms line by line (screen readers, tests).
	Accessible bool
}

// New returns a Prompter on the given terminal streams.
func New(in io.Reader, out io.Writer) *Huh { return &Huh{In: in, Out: out} }

// keyMap is huh's default with Esc added to Ctrl-C as the way out of a form:
// huh binds only Ctrl-C, and fix promises that Esc cancels too. Esc then
// also leaves a select's filter by cancelling the form; the lists are short.
func keyMap() *huh.KeyMap {
	km := huh.NewDefaultKeyMap()
	km.Quit.SetKeys("ctrl+c", "esc")
	return km
}

func (h *Huh) run(ctx context.Context, f *huh.Form) error {
	// The command's --timeout is for AWS, not for the user's reading.
	defer budget.Pause(ctx)()
	// WithProgramOptions replaces the program options, so it comes before
	// WithInput and WithOutput, which add theirs.
	f = f.WithProgramOptions(tea.WithFilter(markCtrlC(ctx))).
		WithInput(h.In).WithOutput(h.Out).WithAccessible(h.Accessible).WithShowHelp(true).WithKeyMap(keyMap()).WithTheme(Theme())
	err := f.RunWithContext(ctx)
	if err != nil && (errors.Is(err, huh.ErrUserAborted) || ctx.Err() != nil) {
		// Esc or Ctrl-C in the form, or the command's context ended
		// (huh reports that as a timeout).
		return ErrCancelled
	}
	return err
}

// markCtrlC records Ctrl-C in a form as an interrupt: a terminal in raw mode
// delivers it as a key, not as SIGINT, and the run should end like one
// (exit 130). Esc stays a plain cancellation.
func markCtrlC(ctx context.Context) func(tea.Model, tea.Msg) tea.Msg {
	return func(_ tea.Model, msg tea.Msg) tea.Msg {
		if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyCtrlC {
			interrupt.Mark(ctx)
		}
		return msg
	}
}

// Theme is huh's default theme with the selected button of a confirmation
// marked by "> " as well as by colour: with NO_COLOR, or on a monochrome
// terminal, the colours are gone, and Enter on "Apply" writes to AWS.
func Theme() *huh.Theme {
	t := huh.ThemeCharm()
	for _, s := range []*huh.FieldStyles{&t.Focused, &t.Blurred} {
		s.FocusedButton = s.FocusedButton.SetString(">")
		s.BlurredButton = s.BlurredButton.SetString(" ")
	}
	return t
}

// TargetAnswers are filled by the target forms.
type TargetAnswers struct {
	Kind  TargetKind
	Value string
}

// Choices merges the answers into c.
func (a TargetAnswers) Choices(c plan.Choices) plan.Choices {
	switch a.Kind {
	case TargetEmail:
		c.Email = strings.TrimSpace(a.Value)
	case TargetHTTPS, TargetSQS, TargetLambda:
		c.Subscribe = string(a.Kind) + ":" + strings.TrimSpace(a.Value)
	case TargetTopic:
		c.TopicARN = strings.TrimSpace(a.Value)
	}
	return c
}

// TargetKindForm asks where notifications go.
func TargetKindForm(a *TargetAnswers) *huh.Form {
	if a.Kind == "" {
		a.Kind = TargetEmail
	}
	return huh.NewForm(huh.NewGroup(
		huh.NewSelect[TargetKind]().
			Title("Where should the alarm's notifications go?").
			Description("The alarm publishes to an SNS topic; someone must receive it.").
			Options(
				huh.NewOption("An email address (stays pending until someone clicks the link)", TargetEmail),
				huh.NewOption("An HTTPS endpoint", TargetHTTPS),
				huh.NewOption("An SQS queue (ARN)", TargetSQS),
				huh.NewOption("A Lambda function (ARN)", TargetLambda),
				huh.NewOption("An existing SNS topic that already has subscribers (ARN)", TargetTopic),
			).
			Value(&a.Kind),
	))
}

// TargetValueForm asks for the address, URL or ARN of the chosen kind.
func TargetValueForm(a *TargetAnswers) *huh.Form {
	title := map[TargetKind]string{
		TargetEmail:  "Email address",
		TargetHTTPS:  "HTTPS endpoint URL",
		TargetSQS:    "SQS queue ARN",
		TargetLambda: "Lambda function ARN",
		TargetTopic:  "SNS topic ARN",
	}[a.Kind]
	return huh.NewForm(huh.NewGroup(
		huh.NewInput().Title(title).Value(&a.Value).Validate(func(s string) error {
			return ValidateTarget(TargetAnswers{Kind: a.Kind, Value: s})
		}),
	))
}

// ValidateTarget checks an answer with the same rules as the flags. The
// message speaks of the value typed, not of a flag the user did not use
// (the flag's would read --subscribe "https:http://...").
func ValidateTarget(a TargetAnswers) error {
	v := strings.TrimSpace(a.Value)
	if v == "" {
		return errors.New("required")
	}
	switch a.Kind {
	case TargetEmail, TargetHTTPS, TargetSQS, TargetLambda:
		return plan.Endpoint{Protocol: string(a.Kind), Endpoint: v}.Validate()
	}
	if a.Choices(plan.Choices{}).Validate() != nil {
		return fmt.Errorf("%q: want an SNS topic ARN, arn:aws:sns:REGION:ACCOUNT:TOPIC", v)
	}
	return nil
}

// NamesForm lets the user change names; values holds the current names by
// key and is updated in place.
func NamesForm(names []Name, values map[string]*string) *huh.Form {
	var fields []huh.Field
	for _, n := range names {
		v := values[n.Key]
		key := n.Key
		fields = append(fields, huh.NewInput().Title(n.Label).Description("--"+n.Key).Value(v).Validate(func(s string) error {
			return ValidateName(key, s)
		}))
	}
	return huh.NewForm(huh.NewGroup(fields...))
}

// ValidateName checks one name with the flag's rules.
func ValidateName(key, v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("required")
	}
	var c plan.Choices
	if !setName(&c, key, v) {
		return fmt.Errorf("unknown name %s", key)
	}
	return c.Validate()
}

func setName(c *plan.Choices, key, v string) bool {
	switch key {
	case "filter-name":
		c.FilterName = v
	case "metric-name":
		c.MetricName = v
	case "namespace":
		c.Namespace = v
	case "alarm-name":
		c.AlarmName = v
	case "topic-name":
		c.TopicName = v
	case "log-group-name":
		c.LogGroupName = v
	case "role-name":
		c.RoleName = v
	default:
		return false
	}
	return true
}

// AskChoices asks where notifications go (when needed) and whether to
// change the default names.
func (h *Huh) AskChoices(ctx context.Context, req Request) (plan.Choices, error) {
	c := req.Current
	if req.AskTarget {
		var a TargetAnswers
		if err := h.run(ctx, TargetKindForm(&a)); err != nil {
			return c, err
		}
		if err := h.run(ctx, TargetValueForm(&a)); err != nil {
			return c, err
		}
		c = a.Choices(c)
		if a.Kind == TargetTopic {
			// The plan's names came before this answer: with an existing
			// topic no topic is created, so do not ask what to call it.
			req.Names = slices.DeleteFunc(slices.Clone(req.Names), func(n Name) bool { return n.Key == "topic-name" })
		}
	}
	if len(req.Names) > 0 {
		keep := true
		f := huh.NewForm(huh.NewGroup(huh.NewConfirm().
			Title("Use these names?").
			Description(describeNames(req.Names)).
			Affirmative("Yes").Negative("Change them").Value(&keep)))
		if err := h.run(ctx, f); err != nil {
			return c, err
		}
		if !keep {
			values := map[string]*string{}
			for _, n := range req.Names {
				v := n.Default
				values[n.Key] = &v
			}
			if err := h.run(ctx, NamesForm(req.Names, values)); err != nil {
				return c, err
			}
			for k, v := range values {
				setName(&c, k, strings.TrimSpace(*v))
			}
		}
	}
	return c, nil
}

func describeNames(names []Name) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s: %s\n", n.Label, n.Default)
	}
	return strings.TrimRight(b.String(), "\n")
}

// Confirm asks a yes/no question; no is the default.
func (h *Huh) Confirm(ctx context.Context, title, description string) (bool, error) {
	ok := false
	f := huh.NewForm(huh.NewGroup(huh.NewConfirm().Title(title).Description(description).
		Affirmative("Apply").Negative("Cancel").Value(&ok)))
	if err := h.run(ctx, f); err != nil {
		return false, err
	}
	return ok, nil
}
