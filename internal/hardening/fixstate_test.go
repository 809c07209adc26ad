package hardening

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
	"github.com/trailwatch/trailwatch/plan"
)

// subscribe is the endpoint every fix subscribes (moto confirms https).
const subscribe = "https://hooks.example.com/trailwatch"

// brokenTrail leaves every step of the plan to do: the trail is not logging,
// its selectors capture no management events, and it has no CloudWatch Logs.
func brokenTrail(t *testing.T, srv *motoserver.Server) testaccount.Built {
	t.Helper()
	return buildChain(t, srv, testaccount.Chain{NoLogs: true, NotLogging: true,
		Selectors: []cttypes.EventSelector{{
			ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(false),
			DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::org-data/"}}},
		}}})
}

// cloudWatchKey creates a customer managed KMS key whose policy lets
// CloudWatch use it, for `fix --kms-key`.
func cloudWatchKey(t *testing.T, srv *motoserver.Server) string {
	t.Helper()
	policy := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + motoserver.Account + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"CloudWatch","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`
	out, err := awsx.FromConfig(srv.Config(t, home)).KMS(home).CreateKey(context.Background(), &kms.CreateKeyInput{Policy: aws.String(policy)})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return aws.ToString(out.KeyMetadata.KeyId)
}

// takenNames makes the resources fix would create exist already: a log
// group, a topic and an alarm trailwatch did not make (so it must look for
// other names), and a role it did make whose trust policy is out of date
// and which lacks its inline policy (so it must bring it up to date).
func takenNames(t *testing.T, srv *motoserver.Server) {
	t.Helper()
	ctx := context.Background()
	f := awsx.FromConfig(srv.Config(t, home))
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := f.Logs(home).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(plan.DefaultLogGroupName)})
	must(err, "CreateLogGroup")
	_, err = f.SNS(home).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(plan.DefaultTopicName)})
	must(err, "CreateTopic")
	_, err = f.CloudWatch(home).PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(plan.DefaultAlarmName), MetricName: aws.String("Unrelated"), Namespace: aws.String("Other"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
	})
	must(err, "PutMetricAlarm")
	_, err = f.IAM().CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(plan.DefaultRoleName),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
		Tags:                     []iamtypes.Tag{{Key: aws.String(plan.ManagedTagKey), Value: aws.String(plan.ManagedTagValue)}},
	})
	must(err, "CreateRole")
}
