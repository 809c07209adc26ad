package remediate

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/plan"
)

// mergeTopicPolicy adds trailwatch's publish statement to the topic policy
// (every other statement kept); with write false it only says whether it
// is missing.
func (a *applier) mergeTopicPolicy(ctx context.Context, c SNSAPI, arn string, write bool) (bool, error) {
	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		return false, fmt.Errorf("get attributes of topic %s: %w", arn, err)
	}
	merged, changed, err := plan.MergeTopicPolicy(attrs.Attributes["Policy"], arn)
	if err != nil || !changed || !write {
		return changed, err
	}
	if _, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn),
		AttributeName: aws.String("Policy"), AttributeValue: aws.String(merged)}); err != nil {
		return false, fmt.Errorf("set policy of topic %s: %w", arn, err)
	}
	return true, nil
}

func (a *applier) probeTopic(ctx context.Context, region, name string, p *plan.TopicParams) (state, error) {
	c := a.c.SNS(region)
	arn := chain.TopicARN(chain.PartitionOf(p.ARN), region, a.p.Account, name)
	_, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil && awserr.IsNotFound(err) {
		return state{owner: chain.Free}, nil
	}
	if err != nil {
		return state{}, fmt.Errorf("get attributes of topic %s: %w", arn, err)
	}
	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return state{}, fmt.Errorf("list tags of topic %s: %w", arn, err)
	}
	if !chain.Managed(chain.SNSTags(tags.Tags)) {
		return state{owner: chain.Foreign}, nil
	}
	st := state{owner: chain.Ours}
	missing, err := a.mergeTopicPolicy(ctx, c, arn, false)
	if err != nil {
		return state{}, err
	}
	if missing {
		st.changes = []string{"policy"}
	}
	return st, nil
}

func (a *applier) topic(ctx context.Context, s plan.Step) (outcome, error) {
	p, region := s.Params.Topic, s.Address.Region
	c := a.c.SNS(region)
	name, st, err := a.settle(ctx, s)
	if err != nil {
		return outcome{}, err
	}
	arn := chain.TopicARN(chain.PartitionOf(p.ARN), region, a.p.Account, name)
	a.resolve(s.ID, arn)
	if st.owner == chain.Free {
		attrs := map[string]string{}
		if p.KMSKeyID != "" {
			if err := a.checkKey(ctx, region, p.KMSKeyID, "cloudwatch.amazonaws.com"); err != nil {
				return outcome{}, err
			}
			attrs["KmsMasterKeyId"] = p.KMSKeyID
		}
		// CreateTopic is idempotent: a concurrent run's identical create
		// answers with the same ARN.
		out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs, Tags: chain.SNSManagedTags()})
		if err != nil {
			return outcome{}, fmt.Errorf("create topic %q: %w", name, err)
		}
		arn = aws.ToString(out.TopicArn)
		a.resolve(s.ID, arn)
		if _, err := a.mergeTopicPolicy(ctx, c, arn, true); err != nil {
			return outcome{resource: arn}, fmt.Errorf("created topic %s but could not let CloudWatch publish to it: %w", arn, err)
		}
		d := "created; CloudWatch alarms of this account may publish"
		if p.KMSKeyID != "" {
			d += "; encrypted with " + p.KMSKeyID
		}
		return outcome{changed: true, resource: arn, detail: d + chain.Renamed(p.Name, name)}, nil
	}
	changed, err := a.mergeTopicPolicy(ctx, c, arn, true)
	if err != nil {
		return outcome{resource: arn}, err
	}
	if changed {
		return outcome{changed: true, resource: arn, detail: "trailwatch's topic existed; policy statement added"}, nil
	}
	return outcome{resource: arn, detail: "trailwatch's topic already exists" + chain.Renamed(p.Name, name)}, nil
}

// checkKey refuses an AWS managed key, a disabled key, or a key whose policy
// does not let service use it: CloudWatch alarms could not publish to a
// topic (kms:Decrypt and kms:GenerateDataKey*), CloudTrail could not write
// to a bucket (kms:GenerateDataKey*).
func (a *applier) checkKey(ctx context.Context, region, key, service string) error {
	k := a.c.KMS(region)
	d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(key)})
	if err != nil {
		return fmt.Errorf("KMS key %s: %w", key, err)
	}
	md := d.KeyMetadata
	if md.KeyManager == kmstypes.KeyManagerTypeAws {
		return fmt.Errorf("KMS key %s is AWS managed; %s cannot use it here: give a customer managed key", key, service)
	}
	if md.KeyState != "" && md.KeyState != kmstypes.KeyStateEnabled {
		return fmt.Errorf("KMS key %s is %s, not Enabled", key, md.KeyState)
	}
	pol, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default")})
	if err != nil {
		return fmt.Errorf("read policy of KMS key %s: %w", key, err)
	}
	needDecrypt := service == "cloudwatch.amazonaws.com"
	if !keyAllows(aws.ToString(pol.Policy), service, needDecrypt) {
		want := "kms:GenerateDataKey*"
		if needDecrypt {
			want = "kms:Decrypt and kms:GenerateDataKey*"
		}
		return fmt.Errorf("KMS key %s: its policy does not let %s use it (%s); add that statement to the key policy, or omit --kms-key", key, service, want)
	}
	return nil
}

func keyAllows(policy, service string, needDecrypt bool) bool {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	var stmts []map[string]any
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(doc.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]any{one}
	}
	list := func(v any) []string {
		switch t := v.(type) {
		case string:
			return []string{t}
		case []any:
			var out []string
			for _, x := range t {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
		return nil
	}
	decrypt, gen := false, false
	for _, s := range stmts {
		if s["Effect"] != "Allow" {
			continue
		}
		pr, _ := s["Principal"].(map[string]any)
		if !slices.Contains(list(pr["Service"]), service) {
			continue
		}
		for _, act := range list(s["Action"]) {
			switch act {
			case "kms:*":
				decrypt, gen = true, true
			case "kms:Decrypt":
				decrypt = true
			case "kms:GenerateDataKey*", "kms:GenerateDataKey":
				gen = true
			}
		}
	}
	return gen && (decrypt || !needDecrypt)
}

func (a *applier) topicPolicy(ctx context.Context, region string, p *plan.TopicPolicyParams) (outcome, error) {
	changed, err := a.mergeTopicPolicy(ctx, a.c.SNS(region), p.TopicARN, true)
	if err != nil {
		return outcome{}, err
	}
	if !changed {
		return outcome{resource: p.TopicARN, detail: "policy already lets this account's alarms publish"}, nil
	}
	return outcome{changed: true, resource: p.TopicARN, detail: "statement merged; other statements kept"}, nil
}

func (a *applier) subscription(ctx context.Context, region string, p *plan.SubscriptionParams) (outcome, error) {
	topic := a.ref(plan.IDTopic, p.TopicARN)
	c := a.c.SNS(region)
	ep := p.Protocol + ":" + p.Endpoint
	pg := sns.NewListSubscriptionsByTopicPaginator(c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return outcome{}, fmt.Errorf("list subscriptions of %s: %w", topic, err)
		}
		for _, s := range out.Subscriptions {
			if aws.ToString(s.Protocol) == p.Protocol && aws.ToString(s.Endpoint) == p.Endpoint {
				if chain.IsPendingARN(aws.ToString(s.SubscriptionArn)) {
					return outcome{resource: ep, pending: true, detail: pendingText(p)}, nil
				}
				return outcome{resource: aws.ToString(s.SubscriptionArn), detail: "already subscribed and confirmed"}, nil
			}
		}
	}
	out, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String(p.Protocol), Endpoint: aws.String(p.Endpoint)})
	if err != nil {
		return outcome{}, fmt.Errorf("subscribe %s to %s: %w", ep, topic, err)
	}
	arn := aws.ToString(out.SubscriptionArn)
	if chain.IsPendingARN(arn) {
		return outcome{changed: true, resource: ep, pending: true, detail: pendingText(p)}, nil
	}
	return outcome{changed: true, resource: arn, detail: "subscribed and confirmed"}, nil
}

func pendingText(p *plan.SubscriptionParams) string {
	switch p.Protocol {
	case "email", "email-json":
		return "pending: " + p.Endpoint + " must click the link in the confirmation message AWS sent; until then the audit reports NO_CONFIRMED_SUBSCRIPTION"
	case "http", "https":
		return "pending: " + p.Endpoint + " must confirm by visiting the SubscribeURL SNS posted to it"
	}
	return "pending confirmation"
}
