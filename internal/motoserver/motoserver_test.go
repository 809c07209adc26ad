package motoserver

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestMain(m *testing.M) { Main(m) }

func TestSharedAnswersAndResets(t *testing.T) {
	s := Shared(t)
	cfg := s.Config(t, "us-east-1")
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if got := *out.Account; got != Account {
		t.Errorf("account = %q, want %q", got, Account)
	}
	if s2 := Shared(t); s2 != s {
		t.Errorf("Shared started a second server")
	}
}

func TestStartOwnServer(t *testing.T) {
	s := Start(t)
	if s == nil || s.URL == "" {
		t.Fatal("no URL")
	}
	s.Stop()
	select {
	case <-s.exited:
	default:
		t.Error("server still running after Stop")
	}
}
