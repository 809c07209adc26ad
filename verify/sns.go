package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// SNS publishes, per topic, NumberOfNotificationsDelivered and
// NumberOfNotificationsFailed in the AWS/SNS namespace with the dimension
// TopicName (Amazon SNS developer guide, "Monitoring Amazon SNS topics using
// CloudWatch"). The metrics live in the topic's account and region; a topic
// with no traffic has no datapoints, which is zero.
const (
	snsNamespace    = "AWS/SNS"
	metricFailed    = "NumberOfNotificationsFailed"
	metricDelivered = "NumberOfNotificationsDelivered"
	// snsWindow is how far back the failures are counted; snsPeriod splits
	// it so the report can say when they happened.
	snsWindow = 24 * time.Hour
	snsPeriod = time.Hour
	// maxQueries is GetMetricData's limit per call (CloudWatch API
	// reference, GetMetricData: MetricDataQueries, at most 500); each topic
	// takes two.
	maxQueries = 500
)

// topicMetrics is what GetMetricData returned for one topic.
type topicMetrics struct {
	failed, delivered []Datapoint
	status            string // a StatusCode other than Complete, or ""
}

// readSNSMetrics reads both metrics for topics (all in one region) over
// [start, end), in as few calls as the limit allows, each paginated.
func readSNSMetrics(ctx context.Context, cw CloudWatchAPI, topics []string, start, end time.Time) (map[string]*topicMetrics, error) {
	out := map[string]*topicMetrics{}
	perCall := maxQueries / 2
	for first := 0; first < len(topics); first += perCall {
		batch := topics[first:min(first+perCall, len(topics))]
		var queries []cwtypes.MetricDataQuery
		ids := map[string]struct {
			topic  string
			failed bool
		}{}
		for i, t := range batch {
			_, _, name, _ := topicParts(t)
			out[t] = &topicMetrics{}
			for _, m := range []struct {
				id, metric string
				failed     bool
			}{{fmt.Sprintf("f%d", i), metricFailed, true}, {fmt.Sprintf("d%d", i), metricDelivered, false}} {
				ids[m.id] = struct {
					topic  string
					failed bool
				}{t, m.failed}
				queries = append(queries, cwtypes.MetricDataQuery{
					Id: aws.String(m.id),
					MetricStat: &cwtypes.MetricStat{
						Metric: &cwtypes.Metric{
							Namespace:  aws.String(snsNamespace),
							MetricName: aws.String(m.metric),
							Dimensions: []cwtypes.Dimension{{Name: aws.String("TopicName"), Value: aws.String(name)}},
						},
						Period: aws.Int32(int32(snsPeriod / time.Second)),
						Stat:   aws.String("Sum"),
					},
				})
			}
		}
		p := cloudwatch.NewGetMetricDataPaginator(cw, &cloudwatch.GetMetricDataInput{
			MetricDataQueries: queries,
			StartTime:         aws.Time(start),
			EndTime:           aws.Time(end),
			ScanBy:            cwtypes.ScanByTimestampAscending,
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, r := range page.MetricDataResults {
				q, ok := ids[aws.ToString(r.Id)]
				if !ok {
					continue
				}
				tm := out[q.topic]
				if r.StatusCode != cwtypes.StatusCodeComplete && r.StatusCode != cwtypes.StatusCodePartialData && r.StatusCode != "" {
					tm.status = string(r.StatusCode)
				}
				for i := range min(len(r.Timestamps), len(r.Values)) {
					d := Datapoint{Time: r.Timestamps[i], Value: r.Values[i]}
					if q.failed {
						tm.failed = append(tm.failed, d)
					} else {
						tm.delivered = append(tm.delivered, d)
					}
				}
			}
		}
	}
	return out, nil
}

// judgeSNS: a notification SNS failed to deliver in the window is a broken
// link (a bouncing mailbox, an endpoint that refuses); the report gives the
// count and the hours. SNS counts per topic, not per subscriber, so the
// subscriber is not named. A topic in another account keeps its metrics
// there, so from here it is unknown, not zero.
func judgeSNS(topic, account string, since time.Time, m *topicMetrics, err error) Check {
	c := Check{Name: CheckSNS, Resource: topic}
	_, owner, _, ok := topicParts(topic)
	switch {
	case !ok:
		c.Status, c.Detail = Unknown, fmt.Sprintf("could not tell: %q is not an SNS topic ARN", topic)
		return c
	case account == "":
		c.Status, c.Detail = Unknown, "could not tell: the caller's account is unknown (sts:GetCallerIdentity), so whether the topic's delivery metrics are readable here is too"
		c.Action = "sts:GetCallerIdentity"
		return c
	case owner != account:
		c.Status = Unknown
		c.Detail = fmt.Sprintf("could not tell: the topic belongs to account %s, where SNS keeps its delivery metrics; read %s/%s there", owner, snsNamespace, metricFailed)
		return c
	case err != nil:
		c.Status = Unknown
		c.Action, c.Detail = failure("cloudwatch", "GetMetricData", err)
		return c
	case m == nil:
		c.Status, c.Detail = Unknown, "could not tell: GetMetricData did not answer for this topic"
		return c
	case m.status != "":
		c.Status = Unknown
		c.Action = "cloudwatch:GetMetricData"
		c.Detail = fmt.Sprintf("could not tell: GetMetricData answered %s for the topic's metrics", m.status)
		return c
	}
	d := &TopicDelivery{Topic: topic, Since: since}
	for _, p := range m.delivered {
		d.Delivered += p.Value
	}
	for _, p := range m.failed {
		if p.Value > 0 {
			d.Failed += p.Value
			d.Failures = append(d.Failures, p)
		}
	}
	sort.Slice(d.Failures, func(i, j int) bool { return d.Failures[i].Time.Before(d.Failures[j].Time) })
	c.Delivery = d
	if d.Failed > 0 {
		var hours []string
		for _, p := range d.Failures {
			hours = append(hours, fmt.Sprintf("%g in the hour from %s", p.Value, stamp(p.Time)))
		}
		c.Status = Broken
		c.Detail = fmt.Sprintf("SNS failed to deliver %g notification(s) in the last 24 hours (%s) and delivered %g; SNS counts per topic, so turn on the topic's delivery status logging to see which subscriber and why",
			d.Failed, strings.Join(hours, ", "), d.Delivered)
		return c
	}
	c.Status = OK
	c.Detail = fmt.Sprintf("no failed deliveries in the last 24 hours (%g delivered)", d.Delivered)
	return c
}
