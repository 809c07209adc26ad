package pattern

import "testing"

func TestRelated(t *testing.T) {
	must, _ := Parse(CIS)
	for _, tc := range []struct {
		p    string
		want bool
	}{
		{CIS, true},
		{`{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) }`, true},
		{`{ ($.eventName = CreateTrail) && ($.userIdentity.type = Root) }`, true},
		{`{ $.eventName = *Trail }`, true},
		{`{ $.eventName = %Logging% }`, true},
		{`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`, false},
		{`{ $.eventName = ConsoleLogin }`, false},
		{`StopLogging`, true},
		{`ConsoleLogin`, false},
		{``, true},
	} {
		p, err := Parse(tc.p)
		if err != nil {
			t.Fatal(err)
		}
		if got := Related(p, must); got != tc.want {
			t.Errorf("Related(%s) = %v, want %v", tc.p, got, tc.want)
		}
	}
}

// A text filter is related when it matches a realistic record of an event
// the control must catch, from that event's own service: sign-in records
// come from signin.amazonaws.com, not CloudTrail.
func TestRelatedTextUsesTheEventsService(t *testing.T) {
	must, err := Parse(`{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    string
		want bool
	}{
		{`signin.amazonaws.com`, true},
		{`ConsoleLogin`, true},
		{`cloudtrail.amazonaws.com`, false},
	} {
		p, err := Parse(tc.p)
		if err != nil {
			t.Fatal(err)
		}
		if got := Related(p, must); got != tc.want {
			t.Errorf("Related(%s) = %v, want %v", tc.p, got, tc.want)
		}
	}
}
