//! # The answers
//!
//! Every response is built here, with the headers every answer carries
//! (`Access-Control-Allow-Origin: *`, `Cross-Origin-Resource-Policy: cross-origin`), and the
//! OTLP ones in the request's encoding: an `ExportTraceServiceResponse` (with
//! `partial_success` when spans were refused) or a `google.rpc.Status` for a 400.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceResponse,
};
use prost::Message;
use serde_json::json;

use crate::listener::bad_body::BadBody;

/// Every answer's body: a boxed body, so full answers and streams share one type.
pub(super) type Body = UnsyncBoxBody<Bytes, Infallible>;

/// `google.rpc.Status`, which OTLP/HTTP sends with a 400 (details left empty).
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

/// `google.rpc.Code.INVALID_ARGUMENT`.
const INVALID_ARGUMENT: i32 = 3;

/// The encoding of an OTLP request, which its answer uses too.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    Protobuf,
    Json,
}

pub(super) fn export_response(encoding: Encoding, rejected: u64, message: &str) -> Response<Body> {
    match encoding {
        Encoding::Protobuf => {
            let response = ExportTraceServiceResponse {
                partial_success: (rejected > 0 || !message.is_empty()).then(|| {
                    ExportTracePartialSuccess {
                        rejected_spans: rejected as i64,
                        error_message: message.to_owned(),
                    }
                }),
            };
            bytes_response(
                StatusCode::OK,
                "application/x-protobuf",
                response.encode_to_vec(),
            )
        }
        Encoding::Json if rejected == 0 && message.is_empty() => {
            json_response(StatusCode::OK, &json!({}))
        }
        Encoding::Json => json_response(
            StatusCode::OK,
            &json!({"partialSuccess": {"rejectedSpans": rejected.to_string(), "errorMessage": message}}),
        ),
    }
}

pub(super) fn rpc_status(encoding: Encoding, bad: &BadBody) -> Response<Body> {
    match encoding {
        Encoding::Protobuf => {
            let status = RpcStatus {
                code: INVALID_ARGUMENT,
                message: bad.0.clone(),
            };
            bytes_response(
                StatusCode::BAD_REQUEST,
                "application/x-protobuf",
                status.encode_to_vec(),
            )
        }
        Encoding::Json => json_response(
            StatusCode::BAD_REQUEST,
            &json!({"code": INVALID_ARGUMENT, "message": bad.0}),
        ),
    }
}

pub(super) fn preflight() -> Response<Body> {
    let mut r = bytes_response(StatusCode::NO_CONTENT, "text/plain", Vec::new());
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type, content-encoding"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    r
}

pub(super) fn text(code: StatusCode, message: &str) -> Response<Body> {
    bytes_response(
        code,
        "text/plain; charset=utf-8",
        format!("{message}\n").into_bytes(),
    )
}

pub(super) fn json_response(code: StatusCode, body: &serde_json::Value) -> Response<Body> {
    bytes_response(code, "application/json", body.to_string().into_bytes())
}

pub(super) fn bytes_response(
    code: StatusCode,
    content_type: &str,
    body: Vec<u8>,
) -> Response<Body> {
    with_cors(
        code,
        content_type,
        Full::new(Bytes::from(body)).boxed_unsync(),
    )
}

/// A response with the headers every answer carries (see the module docs).
pub(super) fn with_cors(code: StatusCode, content_type: &str, body: Body) -> Response<Body> {
    let mut r = Response::new(body);
    *r.status_mut() = code;
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    r
}
