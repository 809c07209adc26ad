package faultproxy

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/internal/awsx"
)

// PageAlarms: a backend that answers every alarm at once (as moto does) is
// read by the SDK's paginator in pages of two, every alarm once, in order;
// each page's request reaches the backend.
func TestPageAlarms(t *testing.T) {
	var seen atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		fmt.Fprint(w, `{"MetricAlarms":[{"AlarmName":"a"},{"AlarmName":"b"},{"AlarmName":"c"},{"AlarmName":"d"},{"AlarmName":"e"}],"CompositeAlarms":[]}`)
	}))
	t.Cleanup(backend.Close)
	p := Start(t, backend.URL)
	p.PageAlarms(2)

	cw := cloudwatch.NewFromConfig(sdkConfig(p.URL), awsx.CloudWatchJSON)
	pg := cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{})
	var pages [][]string
	for pg.HasMorePages() {
		out, err := pg.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range out.MetricAlarms {
			names = append(names, aws.ToString(a.AlarmName))
		}
		pages = append(pages, names)
	}
	if diff := cmp.Diff([][]string{{"a", "b"}, {"c", "d"}, {"e"}}, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	if n := seen.Load(); n != 3 {
		t.Errorf("backend saw %d requests, want 3", n)
	}
}
