#!/bin/sh
# Run by the Job minio-create-bucket (image minio/mc). Creates the private
# bucket $BUCKET and a MinIO user for mlflowd whose policy allows that bucket
# only, so mlflowd never holds MinIO's root credentials. Idempotent: every step
# leaves existing state as it is (or re-applies it), so the Job can run again.
set -eu

policy=mlflowd-bucket
alias=minio

# MinIO may still be starting: retry for up to five minutes.
attempt=1
until out=$(mc alias set "$alias" "$MINIO_URL" \
        "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" 2>&1) &&
      out=$(mc ls "$alias" 2>&1); do
    if [ "$attempt" -ge 60 ]; then
        echo "MinIO at $MINIO_URL still unusable after $attempt tries:" >&2
        echo "$out" >&2
        exit 1
    fi
    echo "waiting for MinIO at $MINIO_URL (try $attempt)"
    attempt=$((attempt + 1))
    sleep 5
done

mc mb --ignore-existing "$alias/$BUCKET"
# Private: no anonymous access, whatever was set before.
mc anonymous set none "$alias/$BUCKET"

# What mlflowd's artifact proxy needs: list, read, write, delete, multipart.
cat > /tmp/policy.json <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetBucketLocation",
        "s3:ListBucket",
        "s3:ListBucketMultipartUploads"
      ],
      "Resource": ["arn:aws:s3:::$BUCKET"]
    },
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts"
      ],
      "Resource": ["arn:aws:s3:::$BUCKET/*"]
    }
  ]
}
POLICY
mc admin policy create "$alias" "$policy" /tmp/policy.json

# Creates the user, or sets its secret key when it exists (key rotation).
mc admin user add "$alias" "$MLFLOWD_ACCESS_KEY_ID" "$MLFLOWD_SECRET_ACCESS_KEY"
info=$(mc admin user info "$alias" "$MLFLOWD_ACCESS_KEY_ID")
case "$info" in
    *"$policy"*) echo "policy $policy already attached" ;;
    *) mc admin policy attach "$alias" "$policy" \
           --user "$MLFLOWD_ACCESS_KEY_ID" ;;
esac
echo "bucket $BUCKET ready for user $MLFLOWD_ACCESS_KEY_ID"
