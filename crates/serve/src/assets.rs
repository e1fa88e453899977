//! The built UI that browser mode serves. The app hands over the assets Tauri embedded in the
//! binary (so nothing is bundled twice); tests can serve a folder instead.

use std::path::PathBuf;

pub trait AssetSource: Send + Sync {
    /// The file at `path` (relative, no leading slash, e.g. `assets/index-abc.js`).
    fn get(&self, path: &str) -> Option<Vec<u8>>;
}

/// Files from a folder such as `ui/dist`.
pub struct DirAssets(pub PathBuf);

impl AssetSource for DirAssets {
    fn get(&self, path: &str) -> Option<Vec<u8>> {
        if !is_safe_path(path) {
            return None;
        }
        std::fs::read(self.0.join(path)).ok()
    }
}

/// Only plain relative paths: no `..`, no absolute paths, no backslashes.
pub fn is_safe_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        assert!(is_safe_path("index.html"));
        assert!(is_safe_path("assets/app.js"));
        for bad in ["", "/etc/passwd", "../secret", "assets/../../x", "a//b", "a\\b", "./x"] {
            assert!(!is_safe_path(bad), "{bad}");
        }
    }
}
