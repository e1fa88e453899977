//! The UI Tauri embedded in the binary, shared with browser mode so it is bundled once.

use std::borrow::Cow;
use std::sync::Arc;

use tauri::utils::assets::{AssetKey, AssetsIter, CspHash};
use tauri::{Assets, Context, Runtime};

use callscope_serve::AssetSource;

/// The app's Tauri context (generated once, here, so the UI is embedded once) and the same
/// embedded UI as browser mode's asset source.
pub fn app_context() -> (Context<tauri::Wry>, Arc<dyn AssetSource>) {
    let mut context = tauri::generate_context!();
    let assets = SharedAssets::share(&mut context);
    (context, Arc::new(assets))
}

/// One set of embedded assets, used both by the window (through the context) and browser mode.
pub struct SharedAssets<R: Runtime>(Arc<Box<dyn Assets<R>>>);

impl<R: Runtime> Clone for SharedAssets<R> {
    fn clone(&self) -> Self {
        SharedAssets(Arc::clone(&self.0))
    }
}

impl<R: Runtime> SharedAssets<R> {
    /// Take the assets out of `context`, leaving a handle to the same assets in their place.
    pub fn share(context: &mut Context<R>) -> Self {
        struct Empty;
        impl<R: Runtime> Assets<R> for Empty {
            fn get(&self, _: &AssetKey) -> Option<Cow<'_, [u8]>> {
                None
            }
            fn iter(&self) -> Box<AssetsIter<'_>> {
                Box::new(std::iter::empty())
            }
            fn csp_hashes(&self, _: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
                Box::new(std::iter::empty())
            }
        }
        let shared = SharedAssets(Arc::new(context.set_assets(Box::new(Empty))));
        context.set_assets(Box::new(shared.clone()));
        shared
    }
}

impl<R: Runtime> Assets<R> for SharedAssets<R> {
    fn get(&self, key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        self.0.get(key)
    }
    fn iter(&self) -> Box<AssetsIter<'_>> {
        self.0.iter()
    }
    fn csp_hashes(&self, html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        self.0.csp_hashes(html_path)
    }
}

impl<R: Runtime> AssetSource for SharedAssets<R> {
    fn get(&self, path: &str) -> Option<Vec<u8>> {
        if !callscope_serve::is_safe_path(path) {
            return None;
        }
        Assets::get(self, &AssetKey::from(path)).map(Cow::into_owned)
    }
}
