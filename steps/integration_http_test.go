package steps_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/runbook-dev/runbook/engine"
)

const httpBook = `apiVersion: runbook/v1
kind: Runbook
name: webhook
version: 1.0.0
params:
  URL: {type: string}
  Token: {type: string, secret: true}
  Path: {type: string, default: /api}
steps:
  - name: gate
    approve:
      approvers: [user:alice]
      message: Call the API?
      timeout: 1m
      notify:
        http: {url: "${{ params.URL }}/notify"}
  - name: call
    http:
      method: POST
      url: ${{ params.URL }}${{ params.Path }}?key=${{ params.Token }}
      headers: {Authorization: "Bearer ${{ params.Token }}"}
      body: {n: 1}
      expect: [201]
    outputs: {status: result.status, id: result.json.id}
`

// TestIntegrationHTTP: an approve step announces its wait by HTTP with
// the command that approves; an http step sends a secret in a header and
// reads the JSON answer; a status it does not expect fails the step
// without showing the secret.
func TestIntegrationHTTP(t *testing.T) {
	notices := make(chan map[string]any, 4)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/notify":
			var n map[string]any
			_ = json.Unmarshal(body, &n)
			notices <- n
		case "/api":
			if r.Header.Get("Authorization") != "Bearer s3cret" || r.Method != http.MethodPost || string(body) != `{"n":1}` {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"id": "abc"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(api.Close)
	h := newHarness(t)
	id, err := h.start(h.plan(httpBook), map[string]any{"URL": api.URL, "Token": "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-notices:
		if n["approve"] != "runbook approve "+id+" --step gate --request "+n["request"].(string) || len(n["request"].(string)) != 16 || n["message"] != "Call the API?" || !strings.Contains(n["text"].(string), "Approve: runbook approve "+id) {
			t.Errorf("notice %v", n)
		}
	case <-time.After(time.Minute):
		t.Fatal("no notice")
	}
	if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "alice"}); err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	mustSucceed(t, out, err)
	if o := step(out, "call").Outputs; o["status"] != int64(201) && o["status"] != 201.0 || o["id"] != "abc" {
		t.Errorf("outputs %v", o)
	}

	id, err = h.start(h.plan(httpBook), map[string]any{"URL": api.URL, "Token": "s3cret", "Path": "/gone"})
	if err != nil {
		t.Fatal(err)
	}
	<-notices
	if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "alice"}); err != nil {
		t.Fatal(err)
	}
	out, err = h.wait(id)
	if err == nil || out.Failed != "call" || out.Error.Type != "HTTPStatus" || !strings.Contains(out.Error.Message, "status 404") || strings.Contains(out.Error.Message, "s3cret") {
		t.Errorf("unexpected status: %+v, %v", out.Error, err)
	}
}

const snsBook = `apiVersion: runbook/v1
kind: Runbook
name: paged
version: 1.0.0
params:
  Topic: {type: string}
steps:
  - name: gate
    approve:
      approvers: [user:alice]
      message: Page?
      timeout: 1m
      notify: {sns: "${{ params.Topic }}"}
`

// TestIntegrationNotifySNS: the wait is published to an SNS topic, which
// kumo delivers to a subscribed SQS queue.
func TestIntegrationNotifySNS(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sn, sq := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	topic, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(unique("approvals"))})
	if err != nil {
		t.Fatal(err)
	}
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(unique("pager"))})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(attrs.Attributes["QueueArn"])}); err != nil {
		t.Fatal(err)
	}
	id, err := h.start(h.plan(snsBook), map[string]any{"Topic": *topic.TopicArn})
	if err != nil {
		t.Fatal(err)
	}
	var body string
	for try := 0; try < 100 && body == ""; try++ {
		m, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, msg := range m.Messages {
			body += aws.ToString(msg.Body)
		}
	}
	if !strings.Contains(body, "runbook approve "+id+" --step gate") || !strings.Contains(body, "Page?") {
		t.Errorf("message delivered: %q", body)
	}
	if rec := h.waitStep(id, "gate", engine.StatusWaiting); strings.Contains(rec.Message, "notify failed") {
		t.Errorf("record %+v", rec)
	}
	if err := h.client.CancelWorkflow(ctx, id, ""); err != nil {
		t.Fatal(err)
	}
}
