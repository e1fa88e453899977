//! Where Callscope keeps its files: the OS's config, data and log directories.
//!
//! On Linux these follow the XDG variables (so tests point them at temporary folders); on macOS
//! and Windows they are the platform's application-support and AppData folders.

use std::path::PathBuf;

use directories::ProjectDirs;

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl Paths {
    pub fn from_os() -> Result<Self> {
        let dirs = ProjectDirs::from("app", "Callscope", "callscope").ok_or_else(|| {
            Error::Internal("the OS gave no home directory, so there is nowhere to keep the journal".into())
        })?;
        // Linux keeps logs under the state dir (XDG_STATE_HOME); other platforms under local data.
        let log_dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).join("logs");
        Ok(Paths { config_dir: dirs.config_dir().into(), data_dir: dirs.data_dir().into(), log_dir })
    }

    /// All three under one folder (tests and benchmarks).
    pub fn under(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Paths { config_dir: root.join("config"), data_dir: root.join("data"), log_dir: root.join("logs") }
    }

    pub fn journal_file(&self) -> PathBuf {
        self.data_dir.join("journal.sqlite3")
    }

    pub fn ensure(&self) -> Result<()> {
        for dir in [&self.config_dir, &self.data_dir, &self.log_dir] {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        }
        Ok(())
    }
}
