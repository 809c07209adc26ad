package chain

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// Every catalogued chain judges the text trailwatch writes for it as
// passing (also with --strict), and another control's text as failing.
func TestCatalogControls(t *testing.T) {
	ctls := Catalog()
	if len(ctls) != 15 {
		t.Fatalf("%d controls with a chain, want 15 (4.1–4.15)", len(ctls))
	}
	filter := func(p string) cwltypes.MetricFilter {
		return cwltypes.MetricFilter{FilterName: aws.String("f"), FilterPattern: aws.String(p),
			MetricTransformations: []cwltypes.MetricTransformation{{MetricName: aws.String("M"), MetricNamespace: aws.String("N"), MetricValue: aws.String("1")}}}
	}
	for i, c := range ctls {
		t.Run(c.ID, func(t *testing.T) {
			f := JudgeFilter(filter(c.Pattern), "g", c, true, c.Defaults.Filter)
			if !f.Passes() || !f.Related {
				t.Errorf("its own text: passes %v, literal %v, related %v (%s)", f.Passes(), f.Literal, f.Related, f.Reason)
			}
			other := ctls[(i+1)%len(ctls)]
			if o := JudgeFilter(filter(other.Pattern), "g", c, false, c.Defaults.Filter); o.Passes() {
				t.Errorf("CIS %s's text passes for %s", other.ID, c.ID)
			}
			if c.Defaults.Filter == "" || c.Defaults.Metric == "" || c.Defaults.Alarm == "" || c.Defaults.Topic != DefaultTopicName {
				t.Errorf("defaults %+v", c.Defaults)
			}
			if len(c.Names) < 2 {
				t.Errorf("names %v", c.Names)
			}
		})
	}
	if c, err := ControlFor("4.16"); err != nil || !c.Hub || c.Covers != nil {
		t.Errorf("4.16: %+v %v, want the control without a chain", c, err)
	}
	if n := len(Controls()); n != 16 {
		t.Errorf("Controls: %d, want 16", n)
	}
	if c, err := ControlFor("CloudWatch.5"); err != nil || c.ID != "4.5" || c.Pattern != CloudTrailChanges().Pattern {
		t.Errorf("CloudWatch.5: %v %v", c.ID, err)
	}
}
