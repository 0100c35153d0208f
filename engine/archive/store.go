package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Checkpoint is the name, under the destination, of the object that holds
// the close time from which the next round lists executions (RFC 3339).
const Checkpoint = ".archive-checkpoint"

// store is a destination: a directory or an S3 prefix. Names are
// slash-separated and relative to it.
type store interface {
	exists(ctx context.Context, name string) (bool, error)
	// get returns nil, and no error, when name does not exist.
	get(ctx context.Context, name string) ([]byte, error)
	// put writes name whole or not at all.
	put(ctx context.Context, name string, data []byte) error
}

// CheckDest reports what is wrong with dest as a destination, if anything:
// it must be a directory or s3://BUCKET[/PREFIX].
func CheckDest(dest string) error {
	if dest == "" {
		return errors.New("no destination")
	}
	if bucket, _, ok := splitS3(dest); ok && bucket == "" {
		return fmt.Errorf("%s: no bucket (want s3://BUCKET/PREFIX)", dest)
	}
	return nil
}

// IsS3 reports whether dest is an S3 destination (s3://BUCKET/PREFIX)
// rather than a directory.
func IsS3(dest string) bool {
	_, _, ok := splitS3(dest)
	return ok
}

// splitS3 splits s3://BUCKET/PREFIX; ok is false for anything else.
func splitS3(dest string) (bucket, prefix string, ok bool) {
	rest, ok := strings.CutPrefix(dest, "s3://")
	if !ok {
		return "", "", false
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	return bucket, strings.Trim(prefix, "/"), true
}

// store opens Dest.
func (a *Archiver) store() (store, error) {
	if err := CheckDest(a.Dest); err != nil {
		return nil, err
	}
	bucket, prefix, ok := splitS3(a.Dest)
	if !ok {
		return dirStore(a.Dest), nil
	}
	if a.S3 == nil {
		return nil, fmt.Errorf("%s: no S3 client", a.Dest)
	}
	return &s3Store{client: a.S3, bucket: bucket, prefix: prefix}, nil
}

// readCheckpoint returns the stored checkpoint; zero when there is none.
func readCheckpoint(ctx context.Context, st store) (time.Time, error) {
	data, err := st.get(ctx, Checkpoint)
	if err != nil || data == nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(data)))
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", Checkpoint, err)
	}
	return t, nil
}

// writeCheckpoint stores t as the checkpoint.
func writeCheckpoint(ctx context.Context, st store, t time.Time) error {
	return st.put(ctx, Checkpoint, []byte(t.UTC().Format(time.RFC3339Nano)+"\n"))
}

// dirStore is a directory. Files are readable by their owner only: the
// histories hold every step's inputs and outputs.
type dirStore string

func (d dirStore) path(name string) string {
	return filepath.Join(string(d), filepath.FromSlash(name))
}

func (d dirStore) exists(_ context.Context, name string) (bool, error) {
	_, err := os.Stat(d.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func (d dirStore) get(_ context.Context, name string) ([]byte, error) {
	data, err := os.ReadFile(d.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// put writes a temporary file beside name and renames it over name.
func (d dirStore) put(_ context.Context, name string, data []byte) error {
	p := d.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// s3Store is the objects under a prefix of a bucket.
type s3Store struct {
	client *s3.Client
	bucket string
	prefix string
}

func (s *s3Store) key(name string) string {
	if s.prefix == "" {
		return name
	}
	return s.prefix + "/" + name
}

func (s *s3Store) exists(ctx context.Context, name string) (bool, error) {
	_, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(name))})
	if notFound(err) {
		return false, nil
	}
	return err == nil, err
}

func (s *s3Store) get(ctx context.Context, name string) ([]byte, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(name))})
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// put relies on S3 writing an object whole or not at all.
func (s *s3Store) put(ctx context.Context, name string, data []byte) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(s.bucket),
		Key:         aws.String(s.key(name)),
		Body:        bytes.NewReader(data),
		ContentType: aws.String("application/json"),
	})
	return err
}

// notFound reports whether err is S3's answer for a missing object (404:
// HeadObject has no body to carry a NoSuchKey code).
func notFound(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// Put writes data under Dest as name (a relative path with '/'): what
// else a deployment keeps beside the histories, such as its audit trail.
func (a *Archiver) Put(ctx context.Context, name string, data []byte) error {
	st, err := a.store()
	if err != nil {
		return err
	}
	return st.put(ctx, name, data)
}
