// Package progress shows a one-line live count on a terminal ("Auditing
// accounts ⣾ 12/50 done, 1 failed") while a long run works, and erases it
// when the run ends, so the terminal keeps only the report. It is drawn with
// Bubble Tea (already in the build through huh) rather than hand-written
// cursor codes. Callers show it only when stderr is a terminal
// (term.IO.IsErrTTY, and not TERM=dumb): piped output never carries it.
package progress

import (
	"context"
	"fmt"
	"io"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// Counter is what a run reports to: one Step per finished item.
type Counter interface {
	// Step counts one finished item, failed or not.
	Step(failed bool)
	// Stop erases the display and returns once it is gone.
	Stop()
}

// Nop is a Counter that shows nothing (output is not a terminal).
type Nop struct{}

func (Nop) Step(bool) {}
func (Nop) Stop()     {}

// Display is a live Counter on a terminal.
type Display struct {
	p    *tea.Program
	done chan struct{}
}

// Start draws label and the count of total on w until Stop. It reads no
// input and leaves signals to the caller (Ctrl-C cancels the caller's
// context as usual).
func Start(ctx context.Context, w io.Writer, label string, total int) *Display {
	s := spinner.New(spinner.WithSpinner(spinner.Dot))
	m := model{label: label, total: total, spin: s}
	d := &Display{
		p: tea.NewProgram(m, tea.WithOutput(w), tea.WithInput(nil), tea.WithoutSignalHandler(),
			tea.WithContext(ctx)),
		done: make(chan struct{}),
	}
	go func() {
		defer close(d.done)
		_, _ = d.p.Run()
	}()
	return d
}

// Step counts one finished item.
func (d *Display) Step(failed bool) { d.p.Send(stepMsg{failed: failed}) }

// Stop erases the line and waits for the display to end.
func (d *Display) Stop() {
	d.p.Send(stopMsg{})
	<-d.done
}

type stepMsg struct{ failed bool }
type stopMsg struct{}

type model struct {
	label               string
	done, failed, total int
	spin                spinner.Model
	stopping            bool
}

func (m model) Init() tea.Cmd { return m.spin.Tick }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case stepMsg:
		m.done++
		if msg.failed {
			m.failed++
		}
		return m, nil
	case stopMsg:
		m.stopping = true
		return m, tea.Quit
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	}
	return m, nil
}

// View is one line; empty once stopping, so the last frame erases it.
func (m model) View() string {
	if m.stopping {
		return ""
	}
	return fmt.Sprintf("%s %s %d/%d done, %d failed", m.label, m.spin.View(), m.done, m.total, m.failed)
}
