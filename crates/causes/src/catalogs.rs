//! Loading the catalogs: one TOML file per catalog, embedded at build time, parsed once.

use std::sync::OnceLock;

use crate::{Catalog, CatalogData};

/// Each catalog's data file, in [`Catalog::ALL`] order.
const FILES: [(Catalog, &str, &str); 8] = [
    (Catalog::Q850, "q850.toml", include_str!("../data/q850.toml")),
    (Catalog::Sip, "sip.toml", include_str!("../data/sip.toml")),
    (Catalog::TelnyxCause, "telnyx_causes.toml", include_str!("../data/telnyx_causes.toml")),
    (Catalog::TelnyxDCode, "telnyx_dcodes.toml", include_str!("../data/telnyx_dcodes.toml")),
    (Catalog::TelnyxSdk, "telnyx_sdk.toml", include_str!("../data/telnyx_sdk.toml")),
    (Catalog::Twilio, "twilio.toml", include_str!("../data/twilio.toml")),
    (Catalog::Browser, "browser.toml", include_str!("../data/browser.toml")),
    (Catalog::Turn, "turn.toml", include_str!("../data/turn.toml")),
];

static CATALOGS: OnceLock<Vec<CatalogData>> = OnceLock::new();

/// One catalog: its title, sources, notes, classes and entries.
///
/// The data is part of the binary, so a file that does not parse is a build defect, not a
/// runtime condition: it panics with the file name and the parser's message (and the crate's
/// tests load every catalog, so it cannot ship).
pub fn catalog(catalog: Catalog) -> &'static CatalogData {
    &CATALOGS.get_or_init(load_all)[catalog.index()]
}

fn load_all() -> Vec<CatalogData> {
    FILES
        .iter()
        .map(|(_, file, text)| {
            toml::from_str::<CatalogData>(text)
                .unwrap_or_else(|e| panic!("callscope-causes: data/{file} does not parse: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_in_catalog_order() {
        let order: Vec<Catalog> = FILES.iter().map(|(c, _, _)| *c).collect();
        assert_eq!(order, Catalog::ALL.to_vec());
        for (i, c) in Catalog::ALL.iter().enumerate() {
            assert_eq!(c.index(), i, "{c} is indexed out of order");
        }
    }
}
