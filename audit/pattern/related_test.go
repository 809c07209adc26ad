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
