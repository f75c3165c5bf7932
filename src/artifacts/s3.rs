//! Artifacts in S3 or an S3-compatible store (MinIO, Ceph), through `aws-sdk-s3`
//! (`S3ArtifactRepository`, `mlflow/store/artifact/s3_artifact_repo.py`).
//!
//! Configuration is MLflow's: `MLFLOW_S3_ENDPOINT_URL` (path-style addressing, as boto3 does
//! for MinIO), `MLFLOW_S3_IGNORE_TLS`, and the standard AWS chain (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`/`AWS_DEFAULT_REGION`,
//! `AWS_PROFILE`, web identity, ECS/EC2 metadata, `AWS_CA_BUNDLE`).
//!
//! Uploads stream: up to [`PART_SIZE`] bytes are gathered; a body that ends sooner is one
//! `PutObject`, a longer one becomes a multipart upload with at most [`PARTS_IN_FLIGHT`] parts
//! being sent while the next is read. Memory per upload is bounded by
//! `(PARTS_IN_FLIGHT + 1) × PART_SIZE` whatever the file size. An upload that fails or whose
//! client goes away is aborted, so no object appears under its final name.
//!
//! Every failure is classified ([`ArtifactError::Unavailable`] for an unreachable or silent
//! endpoint, [`ArtifactError::Backend`] for a refusal) with S3's own error code in the message.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream as S3Body;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier};
use aws_sdk_s3::Client;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use tokio::sync::OnceCell;
use tokio_util::io::ReaderStream;

use super::path::{s3_list_prefix, s3_object_key, RelPath};
use super::{
    ArtifactError, ArtifactStore, ByteRange, ByteStream, Download, FileInfo, PresignedPart,
    UploadedPart,
};

/// Size of one multipart part. S3 wants at least 5 MiB for every part but the last.
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts uploaded concurrently while the next one is being read from the client.
pub const PARTS_IN_FLIGHT: usize = 2;
/// Bound on any request that moves no file data (list, head, delete, multipart bookkeeping).
const METADATA_TIMEOUT: Duration = Duration::from_secs(30);
/// How long S3 may take to assemble a multipart upload (`CompleteMultipartUpload`).
const COMPLETE_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a presigned multipart part URL stays valid (boto3's default `ExpiresIn`).
const PRESIGN_EXPIRY: Duration = Duration::from_secs(3600);

/// Connection settings read from the environment once, at startup.
#[derive(Debug, Clone, Default)]
pub struct S3Settings {
    pub endpoint_url: Option<String>,
    pub ignore_tls: bool,
}

impl S3Settings {
    pub fn from_env() -> Self {
        let endpoint_url = std::env::var("MLFLOW_S3_ENDPOINT_URL")
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let ignore_tls = std::env::var("MLFLOW_S3_IGNORE_TLS")
            .map(|v| v.trim().eq_ignore_ascii_case("true") || v.trim() == "1")
            .unwrap_or(false);
        S3Settings {
            endpoint_url,
            ignore_tls,
        }
    }
}

/// One S3 client for the whole server, built on first use: a server whose artifacts are all
/// local never loads AWS credentials, and one whose S3 is down at startup still starts.
pub struct S3Connector {
    settings: S3Settings,
    client: OnceCell<Client>,
}

impl S3Connector {
    pub fn new(settings: S3Settings) -> Self {
        S3Connector {
            settings,
            client: OnceCell::new(),
        }
    }

    pub async fn client(&self) -> Result<Client, ArtifactError> {
        self.client
            .get_or_try_init(|| build_client(&self.settings))
            .await
            .cloned()
    }

    /// A store rooted at `s3://bucket/prefix`.
    pub fn store(self: &Arc<Self>, bucket: &str, prefix: &str) -> S3ArtifactStore {
        S3ArtifactStore {
            connector: self.clone(),
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        }
    }
}

async fn build_client(settings: &S3Settings) -> Result<Client, ArtifactError> {
    use aws_config::retry::RetryConfig;
    use aws_config::timeout::TimeoutConfig;
    use aws_smithy_http_client::tls;

    let mut trust = tls::TrustStore::default();
    if let Ok(bundle) = std::env::var("AWS_CA_BUNDLE") {
        // The Rust SDK does not read AWS_CA_BUNDLE itself; boto3 (and so MLflow) does.
        let pem = tokio::fs::read(&bundle).await.map_err(|e| {
            ArtifactError::Backend(format!("cannot read AWS_CA_BUNDLE {bundle}: {e}"))
        })?;
        trust = trust.with_pem_certificate(pem);
    }
    let tls_context = tls::TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e| ArtifactError::Backend(format!("TLS set-up failed: {e}")))?;
    let (connect, read) = (Duration::from_secs(5), Duration::from_secs(15));
    let http_client = if settings.ignore_tls {
        tracing::warn!("MLFLOW_S3_IGNORE_TLS is set: S3 certificates are not verified");
        super::insecure_tls::http_client(connect, read).map_err(ArtifactError::Backend)?
    } else {
        aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .tls_context(tls_context)
            .build_https()
    };
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http_client)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(connect)
                // Time to the first byte of an answer, per attempt: with 3 attempts a silent
                // endpoint costs ~45 s on a file transfer (metadata calls are cut at 30 s).
                .read_timeout(read)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(3));
    let shared = loader.load().await;
    let mut config = aws_sdk_s3::config::Builder::from(&shared);
    if shared.region().is_none() {
        // boto3 signs for us-east-1 when no region is configured; MinIO accepts any.
        config = config.region(aws_sdk_s3::config::Region::new("us-east-1"));
    }
    if let Some(url) = &settings.endpoint_url {
        config = config.endpoint_url(url).force_path_style(true);
    }
    // Checksums only where S3 requires them: MinIO and Ceph releases of the last years reject
    // the SDK's default aws-chunked trailers.
    config = config
        .request_checksum_calculation(aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired);
    Ok(Client::from_conf(config.build()))
}

/// Maps an SDK failure to what the API reports, naming S3's error code and the bucket.
fn classify<E>(
    err: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    bucket: &str,
) -> ArtifactError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::TimeoutError(_) => ArtifactError::Unavailable(format!(
            "Artifact storage is unreachable: S3 request timed out (bucket '{bucket}')"
        )),
        SdkError::DispatchFailure(d) => {
            let cause = std::error::Error::source(&err)
                .map(|s| format!(": {}", error_chain(s)))
                .unwrap_or_default();
            if d.is_timeout() || d.is_io() {
                let kind = if d.is_timeout() {
                    "timed out"
                } else {
                    "connection failed"
                };
                ArtifactError::Unavailable(format!(
                    "Artifact storage is unreachable: S3 request {kind} (bucket '{bucket}'){cause}"
                ))
            } else {
                // Not the network: typically no credentials anywhere in the AWS chain.
                ArtifactError::Backend(format!(
                    "Artifact storage error: S3 request on bucket '{bucket}' could not be \
                     sent{cause}"
                ))
            }
        }
        SdkError::ResponseError(_) => ArtifactError::Unavailable(format!(
            "Artifact storage is unreachable: S3 sent an unreadable response (bucket '{bucket}')"
        )),
        SdkError::ServiceError(_) => {
            let status = err.raw_response().map(|r| r.status().as_u16());
            let code = err.code().unwrap_or("");
            let msg = err.message().unwrap_or("");
            let what = match (code, status) {
                ("NoSuchBucket", _) => format!("the bucket '{bucket}' does not exist"),
                (
                    "InvalidAccessKeyId"
                    | "SignatureDoesNotMatch"
                    | "InvalidToken"
                    | "ExpiredToken",
                    _,
                ) => format!("S3 refused the server's credentials for bucket '{bucket}'"),
                ("AccessDenied", _) | (_, Some(403)) => {
                    format!("access to bucket '{bucket}' was denied")
                }
                (_, Some(s)) if s >= 500 => {
                    return ArtifactError::Unavailable(format!(
                        "Artifact storage is unavailable: S3 answered {s} {code} for bucket \
                         '{bucket}'"
                    ))
                }
                _ => format!("S3 request on bucket '{bucket}' failed"),
            };
            let detail = match (code.is_empty(), msg.is_empty()) {
                (true, _) => status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(),
                (false, true) => format!(" ({code})"),
                (false, false) => format!(" ({code}: {msg})"),
            };
            ArtifactError::Backend(format!("Artifact storage error: {what}{detail}"))
        }
        _ => ArtifactError::Backend(format!(
            "Artifact storage error: S3 request on bucket '{bucket}' failed: {}",
            error_chain(&err)
        )),
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = s.source();
    }
    out
}

fn is_not_found<E: ProvideErrorMetadata>(
    err: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> bool {
    matches!(err, SdkError::ServiceError(_))
        && (matches!(err.code(), Some("NoSuchKey" | "NotFound"))
            || err.raw_response().map(|r| r.status().as_u16()) == Some(404)
                && err.code() != Some("NoSuchBucket"))
}

async fn bounded<T>(
    bucket: &str,
    fut: impl std::future::Future<Output = Result<T, ArtifactError>>,
) -> Result<T, ArtifactError> {
    match tokio::time::timeout(METADATA_TIMEOUT, fut).await {
        Ok(r) => r,
        Err(_) => Err(ArtifactError::Unavailable(format!(
            "Artifact storage is unreachable: S3 did not answer within {}s (bucket '{bucket}')",
            METADATA_TIMEOUT.as_secs()
        ))),
    }
}

fn bad_path() -> ArtifactError {
    ArtifactError::OutsideRoot
}

fn bad_part() -> ArtifactError {
    ArtifactError::Backend("Part numbers run from 1 to 10000".to_owned())
}

/// One directory of an S3 bucket (`s3://bucket/prefix`).
pub struct S3ArtifactStore {
    connector: Arc<S3Connector>,
    bucket: String,
    prefix: String,
}

impl S3ArtifactStore {
    fn key(&self, path: &RelPath) -> Result<String, ArtifactError> {
        s3_object_key(&self.prefix, path).map_err(|_| bad_path())
    }

    async fn put_single(
        &self,
        client: &Client,
        key: &str,
        data: Bytes,
    ) -> Result<(), ArtifactError> {
        let len = data.len() as i64;
        client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_length(len)
            .body(S3Body::from(data))
            .send()
            .await
            .map_err(|e| classify(e, &self.bucket))?;
        Ok(())
    }

    async fn put_multipart(
        &self,
        client: &Client,
        key: &str,
        first: Bytes,
        body: &mut ByteStream,
    ) -> Result<(), ArtifactError> {
        let upload_id = self.start_upload(client, key).await?;
        let result = self
            .upload_parts(client, key, &upload_id, first, body)
            .await;
        match result {
            Ok(parts) => {
                let done = self.finish_upload(client, key, &upload_id, parts).await;
                if done.is_err() {
                    self.abort(client, key, &upload_id).await;
                }
                done
            }
            Err(e) => {
                self.abort(client, key, &upload_id).await;
                Err(e)
            }
        }
    }

    async fn start_upload(&self, client: &Client, key: &str) -> Result<String, ArtifactError> {
        let created = bounded(&self.bucket, async {
            client
                .create_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await
                .map_err(|e| classify(e, &self.bucket))
        })
        .await?;
        Ok(created
            .upload_id()
            .ok_or_else(|| ArtifactError::Backend("S3 returned no upload id".to_owned()))?
            .to_owned())
    }

    async fn finish_upload(
        &self,
        client: &Client,
        key: &str,
        upload_id: &str,
        parts: Vec<CompletedPart>,
    ) -> Result<(), ArtifactError> {
        use aws_config::timeout::TimeoutConfig;
        // S3 assembles the object before answering (minutes for large objects on AWS, and
        // 10-20 s for 2 GB on moto). A retry after a timeout would find the upload gone
        // (`NoSuchUpload`) although it succeeded, so wait long, once.
        let patient = aws_sdk_s3::config::Builder::default().timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .read_timeout(COMPLETE_TIMEOUT)
                .build(),
        );
        let sent = tokio::time::timeout(
            COMPLETE_TIMEOUT + Duration::from_secs(30),
            client
                .complete_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .customize()
                .config_override(patient)
                .send(),
        )
        .await;
        match sent {
            Ok(Ok(_)) => Ok(()),
            // An earlier attempt completed it after all: the object is there.
            Ok(Err(e)) if e.code() == Some("NoSuchUpload") && self.exists(client, key).await => {
                Ok(())
            }
            Ok(Err(e)) => Err(classify(e, &self.bucket)),
            Err(_) => Err(ArtifactError::Unavailable(format!(
                "Artifact storage is unreachable: S3 did not complete the upload within {}s \
                 (bucket '{}')",
                COMPLETE_TIMEOUT.as_secs(),
                self.bucket
            ))),
        }
    }

    async fn exists(&self, client: &Client, key: &str) -> bool {
        let head = client.head_object().bucket(&self.bucket).key(key).send();
        matches!(
            tokio::time::timeout(METADATA_TIMEOUT, head).await,
            Ok(Ok(_))
        )
    }

    async fn abort_upload(
        &self,
        client: &Client,
        key: &str,
        upload_id: &str,
    ) -> Result<(), ArtifactError> {
        bounded(&self.bucket, async {
            client
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(upload_id)
                .send()
                .await
                .map_err(|e| classify(e, &self.bucket))
        })
        .await?;
        Ok(())
    }

    /// Best effort: the parts stay invisible either way, and a bucket lifecycle rule for
    /// incomplete uploads frees them.
    async fn abort(&self, client: &Client, key: &str, upload_id: &str) {
        if let Err(e) = self.abort_upload(client, key, upload_id).await {
            tracing::warn!(bucket = %self.bucket, key, error = %e, "aborting a multipart upload failed");
        }
    }

    async fn upload_parts(
        &self,
        client: &Client,
        key: &str,
        upload_id: &str,
        first: Bytes,
        body: &mut ByteStream,
    ) -> Result<Vec<CompletedPart>, ArtifactError> {
        type Pending = tokio::task::JoinHandle<Result<CompletedPart, ArtifactError>>;
        let mut in_flight: VecDeque<Pending> = VecDeque::new();
        let mut done = Vec::new();
        let mut next = Some(first);
        let mut ended = false;
        let mut number = 0i32;
        let result: Result<(), ArtifactError> = async {
            while let Some(data) = next.take() {
                number += 1;
                if number > 10_000 {
                    return Err(ArtifactError::Backend(
                        "Artifact is too large for one S3 object (10,000 parts)".to_owned(),
                    ));
                }
                let (client, bucket, key, upload_id) = (
                    client.clone(),
                    self.bucket.clone(),
                    key.to_owned(),
                    upload_id.to_owned(),
                );
                let part_number = number;
                in_flight.push_back(tokio::spawn(async move {
                    let len = data.len() as i64;
                    let out = client
                        .upload_part()
                        .bucket(&bucket)
                        .key(key)
                        .upload_id(upload_id)
                        .part_number(part_number)
                        .content_length(len)
                        .body(S3Body::from(data))
                        .send()
                        .await
                        .map_err(|e| classify(e, &bucket))?;
                    Ok(CompletedPart::builder()
                        .part_number(part_number)
                        .set_e_tag(out.e_tag().map(str::to_owned))
                        .build())
                }));
                while in_flight.len() >= PARTS_IN_FLIGHT {
                    if let Some(h) = in_flight.pop_front() {
                        done.push(join(h).await?);
                    }
                }
                if !ended {
                    let (chunk, end) = fill(body, PART_SIZE).await?;
                    ended = end;
                    if !chunk.is_empty() {
                        next = Some(chunk);
                    }
                }
            }
            while let Some(h) = in_flight.pop_front() {
                done.push(join(h).await?);
            }
            Ok(())
        }
        .await;
        if let Err(e) = result {
            for h in in_flight {
                h.abort();
            }
            return Err(e);
        }
        Ok(done)
    }

    /// Whether anything exists under `key/` (S3 has no directories, only key prefixes).
    async fn has_children(&self, client: &Client, key: &str) -> Result<bool, ArtifactError> {
        bounded(&self.bucket, async {
            let out = client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(format!("{key}/"))
                .max_keys(1)
                .send()
                .await
                .map_err(|e| classify(e, &self.bucket))?;
            Ok(!out.contents().is_empty())
        })
        .await
    }

    async fn size(&self, client: &Client, key: &str, path: &RelPath) -> Result<u64, ArtifactError> {
        let head = bounded(&self.bucket, async {
            match client
                .head_object()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await
            {
                Ok(h) => Ok(Some(h)),
                Err(e) if is_not_found(&e) => Ok(None),
                Err(e) => Err(classify(e, &self.bucket)),
            }
        })
        .await?;
        match head {
            Some(h) => Ok(h.content_length().unwrap_or(0).max(0) as u64),
            None => Err(self.missing(client, key, path).await),
        }
    }

    /// A missing key is a directory when objects live under it, else not found.
    async fn missing(&self, client: &Client, key: &str, path: &RelPath) -> ArtifactError {
        match self.has_children(client, key).await {
            Ok(true) => ArtifactError::IsDirectory(path.as_str().to_owned()),
            Ok(false) => ArtifactError::NotFound(path.as_str().to_owned()),
            Err(e) => e,
        }
    }
}

async fn join(
    h: tokio::task::JoinHandle<Result<CompletedPart, ArtifactError>>,
) -> Result<CompletedPart, ArtifactError> {
    h.await
        .map_err(|e| ArtifactError::Backend(format!("upload task failed: {e}")))?
}

/// Reads from `body` until `limit` bytes are gathered or the body ends. Small bodies grow
/// the buffer as they come; once a body passes 1 MiB the whole part is reserved at once, so
/// a part never sits in a buffer doubled past its size.
async fn fill(body: &mut ByteStream, limit: usize) -> Result<(Bytes, bool), ArtifactError> {
    const SMALL: usize = 1 << 20;
    let mut buf = BytesMut::new();
    while buf.len() < limit {
        match body.next().await {
            Some(chunk) => {
                let chunk = chunk?;
                if buf.capacity() < limit && buf.len() + chunk.len() > SMALL {
                    buf.reserve((limit + chunk.len()).saturating_sub(buf.len()));
                }
                buf.extend_from_slice(&chunk);
            }
            None => return Ok((buf.freeze(), true)),
        }
    }
    Ok((buf.freeze(), false))
}

#[async_trait::async_trait]
impl ArtifactStore for S3ArtifactStore {
    async fn put(&self, path: &RelPath, mut body: ByteStream) -> Result<(), ArtifactError> {
        let key = self.key(path)?;
        let client = self.connector.client().await?;
        let (first, ended) = fill(&mut body, PART_SIZE).await?;
        if ended {
            self.put_single(&client, &key, first).await
        } else {
            self.put_multipart(&client, &key, first, &mut body).await
        }
    }

    async fn get(
        &self,
        path: &RelPath,
        range: Option<ByteRange>,
    ) -> Result<Download, ArtifactError> {
        let key = self.key(path)?;
        let client = self.connector.client().await?;
        // A range is resolved against the size first: Werkzeug's rules (416 for a suffix
        // longer than the file, clamping the end) differ from S3's.
        let (size, span) = match range {
            None => (None, None),
            Some(r) => {
                let size = self.size(&client, &key, path).await?;
                let span = r
                    .resolve(size)
                    .ok_or(ArtifactError::RangeNotSatisfiable(size))?;
                (Some(size), Some(span))
            }
        };
        let mut req = client.get_object().bucket(&self.bucket).key(&key);
        if let Some((start, end)) = span {
            req = req.range(format!("bytes={start}-{end}"));
        }
        // Bounded until S3's headers arrive; the body then streams at the client's pace.
        let sent = bounded(&self.bucket, async {
            match req.send().await {
                Ok(out) => Ok(Ok(out)),
                Err(e) if is_not_found(&e) => Ok(Err(())),
                Err(e) => Err(classify(e, &self.bucket)),
            }
        })
        .await?;
        let Ok(out) = sent else {
            return Err(self.missing(&client, &key, path).await);
        };
        let size = match size {
            Some(s) => s,
            None => out.content_length().unwrap_or(0).max(0) as u64,
        };
        let body: ByteStream = Box::pin(ReaderStream::with_capacity(
            out.body.into_async_read(),
            64 * 1024,
        ));
        Ok(Download {
            size,
            range: span,
            body,
        })
    }

    async fn list(&self, dir: Option<&RelPath>) -> Result<Vec<FileInfo>, ArtifactError> {
        let root = RelPath::root();
        let dir = dir.unwrap_or(&root);
        let prefix = s3_list_prefix(&self.prefix, dir).map_err(|_| bad_path())?;
        let client = self.connector.client().await?;
        let rel_of = |key: &str| -> Option<String> {
            let base = key.strip_prefix(&prefix)?.trim_end_matches('/');
            if base.is_empty() || base.contains('/') {
                return None;
            }
            Some(if dir.is_empty() {
                base.to_owned()
            } else {
                format!("{}/{base}", dir.as_str())
            })
        };
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = bounded(&self.bucket, async {
                client
                    .list_objects_v2()
                    .bucket(&self.bucket)
                    .prefix(&prefix)
                    .delimiter("/")
                    .set_continuation_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| classify(e, &self.bucket))
            })
            .await?;
            for p in page.common_prefixes() {
                if let Some(path) = p.prefix().and_then(rel_of) {
                    out.push(FileInfo {
                        path,
                        is_dir: true,
                        file_size: None,
                    });
                }
            }
            for o in page.contents() {
                // A key equal to the prefix is a "directory marker" some tools create.
                if let Some(path) = o.key().and_then(rel_of) {
                    out.push(FileInfo {
                        path,
                        is_dir: false,
                        file_size: Some(o.size().unwrap_or(0).max(0) as u64),
                    });
                }
            }
            token = page
                .next_continuation_token()
                .map(str::to_owned)
                .filter(|_| page.is_truncated() == Some(true));
            if token.is_none() {
                break;
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    async fn delete(&self, path: &RelPath) -> Result<(), ArtifactError> {
        // The key itself and everything under `key/` (never `key*`: deleting `a/b` must not
        // take `a/bc.txt` with it).
        let prefix = s3_list_prefix(&self.prefix, path).map_err(|_| bad_path())?;
        let client = self.connector.client().await?;
        let mut keys: Vec<String> = Vec::new();
        if !path.is_empty() {
            keys.push(self.key(path)?);
        }
        let mut token: Option<String> = None;
        loop {
            let page = bounded(&self.bucket, async {
                client
                    .list_objects_v2()
                    .bucket(&self.bucket)
                    .prefix(&prefix)
                    .set_continuation_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| classify(e, &self.bucket))
            })
            .await?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
            token = page
                .next_continuation_token()
                .map(str::to_owned)
                .filter(|_| page.is_truncated() == Some(true));
            if token.is_none() {
                break;
            }
        }
        for batch in keys.chunks(1000) {
            let objects = batch
                .iter()
                .map(|k| ObjectIdentifier::builder().key(k).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ArtifactError::Backend(e.to_string()))?;
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|e| ArtifactError::Backend(e.to_string()))?;
            let out = bounded(&self.bucket, async {
                client
                    .delete_objects()
                    .bucket(&self.bucket)
                    .delete(delete)
                    .send()
                    .await
                    .map_err(|e| classify(e, &self.bucket))
            })
            .await?;
            if let Some(err) = out.errors().first() {
                return Err(ArtifactError::Backend(format!(
                    "Artifact storage error: S3 could not delete '{}' ({}: {})",
                    err.key().unwrap_or(""),
                    err.code().unwrap_or(""),
                    err.message().unwrap_or("")
                )));
            }
        }
        Ok(())
    }

    fn supports_multipart(&self) -> bool {
        true
    }

    async fn presigned_download_url(&self, path: &RelPath) -> Result<(String, u64), ArtifactError> {
        let key = self.key(path)?;
        let client = self.connector.client().await?;
        let size = self.size(&client, &key, path).await?;
        // MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS' default.
        let presign =
            aws_sdk_s3::presigning::PresigningConfig::expires_in(Duration::from_secs(300))
                .map_err(|e| ArtifactError::Backend(e.to_string()))?;
        let req = client
            .get_object()
            .bucket(&self.bucket)
            .key(&key)
            .presigned(presign)
            .await
            .map_err(|e| classify(e, &self.bucket))?;
        Ok((req.uri().to_owned(), size))
    }

    /// Starts a multipart upload whose parts the client sends straight to S3 with presigned
    /// URLs (`create_multipart_upload` of `S3ArtifactRepository`).
    async fn create_multipart_upload(
        &self,
        path: &RelPath,
        num_parts: i64,
    ) -> Result<(String, Vec<PresignedPart>), ArtifactError> {
        let key = self.key(path)?;
        let client = self.connector.client().await?;
        let upload_id = self.start_upload(&client, &key).await?;
        let presign = aws_sdk_s3::presigning::PresigningConfig::expires_in(PRESIGN_EXPIRY)
            .map_err(|e| ArtifactError::Backend(e.to_string()))?;
        let mut urls = Vec::new();
        for n in 1..=num_parts {
            let part = i32::try_from(n).map_err(|_| bad_part())?;
            let req = client
                .upload_part()
                .bucket(&self.bucket)
                .key(&key)
                .upload_id(&upload_id)
                .part_number(part)
                .presigned(presign.clone())
                .await
                .map_err(|e| classify(e, &self.bucket))?;
            urls.push(PresignedPart {
                part_number: n,
                url: req.uri().to_owned(),
            });
        }
        Ok((upload_id, urls))
    }

    async fn complete_multipart_upload(
        &self,
        path: &RelPath,
        upload_id: &str,
        parts: Vec<UploadedPart>,
    ) -> Result<(), ArtifactError> {
        let key = self.key(path)?;
        let client = self.connector.client().await?;
        let parts = parts
            .into_iter()
            .map(|p| {
                Ok(CompletedPart::builder()
                    .part_number(i32::try_from(p.part_number).map_err(|_| bad_part())?)
                    .e_tag(p.etag)
                    .build())
            })
            .collect::<Result<Vec<_>, ArtifactError>>()?;
        self.finish_upload(&client, &key, upload_id, parts).await
    }

    async fn abort_multipart_upload(
        &self,
        path: &RelPath,
        upload_id: &str,
    ) -> Result<(), ArtifactError> {
        let key = self.key(path)?;
        let client = self.connector.client().await?;
        self.abort_upload(&client, &key, upload_id).await
    }
}
