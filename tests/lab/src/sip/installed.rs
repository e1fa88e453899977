//! Finds the Debian packages the lab runs. A missing one is an error that names the package and
//! the command that installs it: tests that need the lab fail loudly instead of skipping.

use std::path::{Path, PathBuf};

use super::LabError;

/// The packages, as `scripts/setup --test` should install them.
pub const PACKAGES: &str =
    "kamailio kamailio-websocket-modules kamailio-tls-modules rtpengine-daemon baresip-core coturn";

#[derive(Debug, Clone)]
pub struct Installed {
    pub kamailio: PathBuf,
    pub kamailio_modules: PathBuf,
    pub rtpengine: PathBuf,
    pub turnserver: PathBuf,
    pub baresip: PathBuf,
    pub baresip_modules: PathBuf,
}

pub fn find() -> Result<Installed, LabError> {
    let kamailio_modules = first_existing(&[
        "/usr/lib/x86_64-linux-gnu/kamailio/modules",
        "/usr/lib/aarch64-linux-gnu/kamailio/modules",
        "/usr/lib/kamailio/modules",
    ])
    .ok_or_else(|| missing("Kamailio's module directory", "kamailio"))?;
    for (module, package) in [("websocket.so", "kamailio-websocket-modules"), ("tls.so", "kamailio-tls-modules")] {
        if !kamailio_modules.join(module).is_file() {
            return Err(missing(&format!("Kamailio module {module}"), package));
        }
    }
    let baresip_modules = PathBuf::from("/usr/lib/baresip/modules");
    for module in ["ctrl_tcp.so", "menu.so", "account.so", "ausine.so", "aubridge.so", "echo.so", "g711.so", "alsa.so"]
    {
        if !baresip_modules.join(module).is_file() {
            return Err(missing(&format!("baresip module {module}"), "baresip-core"));
        }
    }
    Ok(Installed {
        kamailio: program("kamailio", "kamailio")?,
        kamailio_modules,
        rtpengine: program("rtpengine", "rtpengine-daemon")?,
        turnserver: program("turnserver", "coturn")?,
        baresip: program("baresip", "baresip-core")?,
        baresip_modules,
    })
}

/// The program on PATH, or in /usr/sbin and /usr/bin (daemons live in sbin, often not on a user's PATH).
fn program(name: &str, package: &'static str) -> Result<PathBuf, LabError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| missing(name, package))
}

fn first_existing(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(Path::new).find(|p| p.is_dir()).map(Path::to_path_buf)
}

fn missing(what: &str, package: &'static str) -> LabError {
    LabError::NotInstalled { what: what.to_string(), package }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_names_its_package_and_the_install_command() {
        let error = program("callscope-no-such-daemon", "coturn").unwrap_err().to_string();
        assert!(error.contains("callscope-no-such-daemon") && error.contains("Debian package coturn"), "{error}");
        assert!(error.contains(&format!("apt-get install -y --no-install-recommends {PACKAGES}")), "{error}");
    }
}
