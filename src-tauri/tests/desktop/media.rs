//! The `cairn-media:` scheme against a real vault: thumbnails, originals, ranges,
//! no-store, and nothing once locked.

use std::path::Path;

use serde_json::json;
use tauri::http::{header, Request, StatusCode};
use tauri::Manager;

use crate::created;
use cairn_desktop::media;

/// Writes a small PNG with some detail.
pub fn write_png(path: &Path) {
    let img = image::RgbImage::from_fn(200, 150, |x, y| {
        image::Rgb([(x * 3) as u8, (y * 5) as u8, 90])
    });
    img.save(path).expect("write png");
}

fn get(app: &crate::App, path: &str, range: Option<&str>) -> tauri::http::Response<Vec<u8>> {
    let mut b = Request::builder().uri(format!("cairn-media://localhost{path}"));
    if let Some(r) = range {
        b = b.header(header::RANGE, r);
    }
    let req = b.body(Vec::new()).unwrap();
    media::serve(&app.state(), &req)
}

impl crate::App {
    pub fn state(&self) -> tauri::State<'_, cairn_desktop::state::Shared> {
        self.window_handle().state::<cairn_desktop::state::Shared>()
    }
}

#[test]
fn media_scheme_serves_decrypted_bytes_without_caching() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _) = created(&tmp.path().join("v"));
    let photo = tmp.path().join("p.png");
    write_png(&photo);
    let bytes = std::fs::read(&photo).unwrap();
    let added = app.ok(
        "add_files",
        json!({ "paths": [photo.to_str().unwrap()], "linkTo": null,
        "acquired": "", "job": "j", "progress": "__CHANNEL__:1" }),
    );
    let id = added[0]["id"].as_str().unwrap().to_string();

    let t = get(&app, &format!("/thumb/{id}"), None);
    assert_eq!(t.status(), StatusCode::OK);
    assert_eq!(t.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(&t.body()[..2], &[0xFF, 0xD8]);
    assert_eq!(t.headers()[header::CACHE_CONTROL], "no-store");

    let o = get(&app, &format!("/original/{id}"), None);
    assert_eq!(o.status(), StatusCode::OK);
    assert_eq!(o.body(), &bytes);
    assert_eq!(o.headers()[header::CONTENT_TYPE], "image/png");

    let r = get(&app, &format!("/original/{id}"), Some("bytes=10-19"));
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.body(), &bytes[10..20]);

    assert_eq!(
        get(&app, "/original/fil-nothere", None).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/original/../../keys", None).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, &format!("/other/{id}"), None).status(),
        StatusCode::NOT_FOUND
    );

    app.ok("lock", json!({}));
    assert_eq!(
        get(&app, &format!("/original/{id}"), None).status(),
        StatusCode::FORBIDDEN
    );
}
