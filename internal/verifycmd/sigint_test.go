package verifycmd_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// Issue 14: Ctrl-C during the wait still sets the alarm back to OK. A real
// SIGINT goes to the built binary while it waits for the alarm's history
// (the proxy holds that read, the first after SetAlarmState ALARM, and
// sends the signal as it arrives, after checking that moto has the alarm
// in ALARM). The binary stops waiting, resets the alarm on a context of its
// own, says it was interrupted and exits 1; moto has the alarm in OK.
func TestFireSIGINTDuringWait(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := testaccount.Binary(t)
	srv, f := compliantAccount(t, testaccount.Chain{})
	p := faultproxy.Start(t, srv.URL)

	var out bytes.Buffer
	cmd := exec.Command(bin, "verify", "--fire", "--yes", "--wait", "10m", "--endpoint-url", p.URL)
	cmd.Stdout, cmd.Stderr = &out, &out
	// The proxy's handlers run on their own goroutines; they reach the
	// process through an atomic, not through cmd, which Start writes.
	var proc atomic.Pointer[os.Process]
	var once sync.Once
	var during atomic.Value // the alarm's state when the signal was sent
	p.Add(faultproxy.On("cloudwatch:SetAlarmState").First(1).Notify(func(faultproxy.Call) {
		p.Add(faultproxy.On("cloudwatch:DescribeAlarmHistory").Delay(time.Minute).Notify(func(faultproxy.Call) {
			once.Do(func() {
				during.Store(alarmState(t, f).StateValue)
				if err := proc.Load().Signal(os.Interrupt); err != nil {
					t.Errorf("SIGINT: %v", err)
				}
			})
		}))
	}))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	proc.Store(cmd.Process)
	if code := testaccount.WaitExit(t, cmd, 2*time.Minute, out.String); code != 130 {
		t.Errorf("exit %d, want status 130 (interrupted)\n%s", code, out.String())
	}
	if s, _ := during.Load().(cwtypes.StateValue); s != cwtypes.StateValueAlarm {
		t.Fatalf("when the signal was sent the alarm was %q, want ALARM (the signal came outside the wait?)\n%s", s, out.String())
	}
	after := alarmState(t, f)
	if after.StateValue != cwtypes.StateValueOk || !strings.HasPrefix(aws.ToString(after.StateReason), "trailwatch verify: test by") {
		t.Errorf("after SIGINT: state %s, reason %q; want OK set by trailwatch", after.StateValue, aws.ToString(after.StateReason))
	}
	text := out.String()
	for _, want := range []string{"UNKNOWN  wait", "interrupted before the history showed the action", "OK       reset", "trailwatch: interrupted"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}
