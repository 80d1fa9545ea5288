//! The `cairn-media:` URI scheme: the only way media reach the webview. Each request
//! is decrypted from the vault as it is answered — never a plaintext temporary file,
//! never a whole large file over IPC — with `Cache-Control: no-store` so the webview
//! keeps no copy, and byte ranges so audio and video can seek.
//!
//! Paths: `/thumb/<item id>` (the stored JPEG thumbnail) and `/original/<item id>`.

use std::io::{Read, Seek, SeekFrom};

use tauri::http::{header, Method, Request, Response, StatusCode};

use crate::state::AppState;

/// The scheme name.
pub const SCHEME: &str = "cairn-media";

/// Largest body sent for one request; media elements ask for the rest by range.
const MAX_BODY: u64 = 8 << 20;
/// Files up to this size are sent whole to a request without a range (images).
const WHOLE_UP_TO: u64 = 16 << 20;
/// Every answer is inert: nothing served here may run script or load anything, even
/// if the webview were made to open it as a page.
const MEDIA_CSP: &str = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox";

/// Only pictures, sound and video are shown inside Cairn; other files (documents,
/// web pages, SVG, which can carry script) are never served to the webview.
pub fn servable(media_type: &str) -> bool {
    let m = media_type.to_ascii_lowercase();
    (m.starts_with("image/") && !m.contains("svg"))
        || m.starts_with("audio/")
        || m.starts_with("video/")
}

fn plain(status: StatusCode) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::CONTENT_SECURITY_POLICY, MEDIA_CSP)
        .body(Vec::new())
        .unwrap_or_default()
}

/// Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range against `size`.
/// `None`: not a range we serve (the whole file is sent instead); `Some(Err)`: out of
/// range.
pub fn parse_range(h: &str, size: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = h.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let r = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 || size == 0 {
            return Some(Err(()));
        }
        (size.saturating_sub(n), size - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            size.saturating_sub(1)
        } else {
            b.parse::<u64>().ok()?.min(size.saturating_sub(1))
        };
        if start >= size || end < start {
            return Some(Err(()));
        }
        (start, end)
    };
    Some(Ok(r))
}

/// Answers one request.
pub fn serve(state: &AppState, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED);
    }
    let path = req.uri().path();
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let (what, id) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return plain(StatusCode::NOT_FOUND);
    }
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let answer = state.with_vault(|v| match what {
        "thumb" => Ok(match v.thumbnail(id)? {
            Some(jpeg) => respond_whole(jpeg, "image/jpeg"),
            None => plain(StatusCode::NOT_FOUND),
        }),
        "original" => {
            let media_type = v.media_type(id)?;
            if !servable(&media_type) {
                return Ok(plain(StatusCode::UNSUPPORTED_MEDIA_TYPE));
            }
            let mut reader = v.open_original(id)?;
            Ok(respond_range(&mut reader, &media_type, range.as_deref()))
        }
        _ => Ok(plain(StatusCode::NOT_FOUND)),
    });
    match answer {
        // HEAD: the headers of the GET, no body.
        Ok(mut r) if req.method() == Method::HEAD => {
            r.body_mut().clear();
            r
        }
        Ok(r) => r,
        Err(e) if e.code == "locked" => plain(StatusCode::FORBIDDEN),
        Err(e) if e.code == "not_found" => plain(StatusCode::NOT_FOUND),
        Err(e) if e.code == "redacted" => plain(StatusCode::GONE),
        Err(_) => plain(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

fn base(status: StatusCode, media_type: &str) -> tauri::http::response::Builder {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, media_type)
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::CONTENT_SECURITY_POLICY, MEDIA_CSP)
        .header(header::ACCEPT_RANGES, "bytes")
        .header("X-Content-Type-Options", "nosniff")
}

fn respond_whole(body: Vec<u8>, media_type: &str) -> Response<Vec<u8>> {
    base(StatusCode::OK, media_type)
        .header(header::CONTENT_LENGTH, body.len())
        .body(body)
        .unwrap_or_default()
}

fn respond_range<R: Read + Seek>(
    r: &mut R,
    media_type: &str,
    range: Option<&str>,
) -> Response<Vec<u8>> {
    let size = match r.seek(SeekFrom::End(0)) {
        Ok(s) => s,
        Err(_) => return plain(StatusCode::INTERNAL_SERVER_ERROR),
    };
    let parsed = range.and_then(|h| parse_range(h, size));
    let (start, end, partial) = match parsed {
        Some(Ok((a, b))) => (a, b.min(a + MAX_BODY - 1), true),
        Some(Err(())) => {
            return base(StatusCode::RANGE_NOT_SATISFIABLE, media_type)
                .header(header::CONTENT_RANGE, format!("bytes */{size}"))
                .body(Vec::new())
                .unwrap_or_default()
        }
        None if size <= WHOLE_UP_TO => (0, size.saturating_sub(1), false),
        // Too big to send whole: the first part, as a range, and the player asks on.
        None => (0, MAX_BODY - 1, true),
    };
    let len = if size == 0 { 0 } else { end - start + 1 };
    let mut body = Vec::with_capacity(len as usize);
    if r.seek(SeekFrom::Start(start)).is_err() || r.take(len).read_to_end(&mut body).is_err() {
        return plain(StatusCode::INTERNAL_SERVER_ERROR);
    }
    let b = if partial {
        base(StatusCode::PARTIAL_CONTENT, media_type)
            .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}"))
    } else {
        base(StatusCode::OK, media_type)
    };
    b.header(header::CONTENT_LENGTH, body.len())
        .body(body)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some(Ok((0, 99))));
        assert_eq!(parse_range("bytes=900-", 1000), Some(Ok((900, 999))));
        assert_eq!(parse_range("bytes=-100", 1000), Some(Ok((900, 999))));
        assert_eq!(parse_range("bytes=0-5000", 1000), Some(Ok((0, 999))));
        assert_eq!(parse_range("bytes=1000-", 1000), Some(Err(())));
        assert_eq!(parse_range("bytes=5-2", 1000), Some(Err(())));
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), None);
        assert_eq!(parse_range("items=0-1", 1000), None);
    }

    #[test]
    fn partial_and_whole_responses() {
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let r = respond_range(
            &mut Cursor::new(data.clone()),
            "audio/ogg",
            Some("bytes=100-199"),
        );
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(r.body(), &data[100..200]);
        assert_eq!(r.headers()[header::CONTENT_RANGE], "bytes 100-199/10000");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        let w = respond_range(&mut Cursor::new(data.clone()), "image/png", None);
        assert_eq!(w.status(), StatusCode::OK);
        assert_eq!(w.body(), &data);
        let bad = respond_range(&mut Cursor::new(data), "image/png", Some("bytes=20000-"));
        assert_eq!(bad.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    }
}
