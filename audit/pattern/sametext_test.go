package pattern

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSameText(t *testing.T) {
	tests := []struct {
		rule string
		p, q string
		want bool
	}{
		{"identical", CIS, CIS, true},
		{"whitespace", `{($.eventName=CreateTrail)||($.eventName=UpdateTrail)}`, `{ ( $.eventName = CreateTrail ) || ( $.eventName = UpdateTrail ) }`, true},
		{"quoting", `{ $.eventName = "CreateTrail" }`, `{ $.eventName = CreateTrail }`, true},
		{"quoting a number", `{ $.a = "4" }`, `{ $.a = 4 }`, true},
		{"redundant parentheses", `{ (($.a = 1) || ($.b = 2)) }`, `{ $.a = 1 || $.b = 2 }`, true},
		{"order of || operands", `{ $.a = 1 || $.b = 2 || $.c = 3 }`, `{ $.c = 3 || $.a = 1 || $.b = 2 }`, true},
		{"order of || inside &&", `{ $.s = x && ($.a = 1 || $.b = 2) }`, `{ $.s = x && ($.b = 2 || $.a = 1) }`, true},
		{"order of && operands counts", `{ $.s = x && $.t = y }`, `{ $.t = y && $.s = x }`, false},
		{"necessary parentheses count", `{ ($.a = 1 || $.b = 2) && $.c = 3 }`, `{ $.a = 1 || $.b = 2 && $.c = 3 }`, false},
		{"a repeated operand counts", `{ $.a = 1 || $.a = 1 || $.b = 2 }`, `{ $.a = 1 || $.b = 2 }`, false},
		{"a wildcard is not its word", `{ $.eventName = *Trail }`, `{ $.eventName = CreateTrail }`, false},
		{"case counts", `{ $.eventName = createtrail }`, `{ $.eventName = CreateTrail }`, false},
		{"operators count", `{ $.a != 1 }`, `{ $.a = 1 }`, false},
		{"languages count", `CreateTrail`, `{ $.eventName = CreateTrail }`, false},
		{"terms compare as written", `?a ?b`, `?a  ?b`, true},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p, err := Parse(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			q, err := Parse(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, SameText(p, q)); diff != "" {
				t.Errorf("SameText(%s, %s) (-want +got):\n%s", tt.p, tt.q, diff)
			}
			if diff := cmp.Diff(tt.want, SameText(q, p)); diff != "" {
				t.Errorf("SameText(%s, %s) (-want +got):\n%s", tt.q, tt.p, diff)
			}
		})
	}
}

func TestConditions(t *testing.T) {
	p, err := Parse(`{ ($.eventName = "CreateTrail") || $.errorCode = *Denied && $.userIdentity.invokedBy NOT EXISTS || $.sourceIPAddress != %^10\.% || $.x = * }`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Condition{
		{"$.eventName", "=", "CreateTrail"}, {"$.errorCode", "=", "*Denied"}, {"$.userIdentity.invokedBy", "NOT EXISTS", ""},
		{"$.sourceIPAddress", "!=", `%^10\.%`}, {"$.x", "=", "*"},
	}
	if diff := cmp.Diff(want, p.Conditions()); diff != "" {
		t.Errorf("Conditions (-want +got):\n%s", diff)
	}
}
