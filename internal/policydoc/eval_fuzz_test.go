package policydoc

import "testing"

// Evaluate takes policies read from AWS: whatever the text, it returns a
// judgement with a reason, never panics, and names the deciding statement
// whenever it allows or explicitly denies.
func FuzzEvaluate(f *testing.F) {
	for _, seed := range []string{
		defaultTopicPolicy,
		doc("2012-10-17", trailwatchTopic, `{"Effect":"Deny","Principal":"*","Action":"sns:*","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":"${aws:username, 'x'}*"}}}`),
		doc("2012-10-17", keyRoot, keyCloudWatch),
		`{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":["1","arn:aws:iam::1:root"]},"NotAction":"x","NotResource":"arn:${a:b}:x:y:z:w"}}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, policy string) {
		r := Evaluate(policy, publish())
		if r.Reason == "" {
			t.Errorf("no reason: %+v", r)
		}
		if (r.Decision == Allowed || r.Explicit) && r.Statement == "" {
			t.Errorf("no deciding statement: %+v", r)
		}
		if r.Explicit && r.Decision != Denied {
			t.Errorf("explicit but not denied: %+v", r)
		}
	})
}
