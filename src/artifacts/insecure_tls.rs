//! The HTTP client behind `MLFLOW_S3_IGNORE_TLS=true`: certificates are not verified (boto3's
//! `verify=False`, which MLflow sets from that variable), for MinIO with a self-signed
//! certificate. The SDK's own client cannot switch verification off, so requests go through
//! reqwest instead; timeouts match the verifying client's.

use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    http_client_fn, HttpConnector, HttpConnectorFuture, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::body::SdkBody;

#[derive(Debug, Clone)]
struct ReqwestConnector {
    client: reqwest::Client,
}

impl HttpConnector for ReqwestConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.client.clone();
        HttpConnectorFuture::new(async move {
            let request = request
                .try_into_http1x()
                .map_err(|e| ConnectorError::user(e.into()))?;
            let (parts, body) = request.into_parts();
            let response = client
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(reqwest::Body::wrap(body))
                .send()
                .await
                .map_err(|e| {
                    if e.is_timeout() {
                        ConnectorError::timeout(e.into())
                    } else if e.is_connect() || e.is_request() {
                        ConnectorError::io(e.into())
                    } else {
                        ConnectorError::other(e.into(), None)
                    }
                })?;
            let response: http::Response<reqwest::Body> = response.into();
            let (parts, body) = response.into_parts();
            HttpResponse::try_from(http::Response::from_parts(
                parts,
                SdkBody::from_body_1_x(body),
            ))
            .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// A client that accepts any server certificate.
pub fn http_client(connect: Duration, read: Duration) -> Result<SharedHttpClient, String> {
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .connect_timeout(connect)
        .read_timeout(read)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let connector = SharedHttpConnector::new(ReqwestConnector { client });
    Ok(http_client_fn(move |_, _| connector.clone()))
}
